from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Book(models.Model):
    title = models.CharField(max_length=100)
    authors = models.ManyToManyField(Author)


class BookProxy(Book):
    class Meta:
        proxy = True


class Ebook(Book):
    url = models.URLField()
