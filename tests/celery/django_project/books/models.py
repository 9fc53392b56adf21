from django.db import models


class Book(models.Model):
    title = models.CharField(max_length=200)


class Novel(Book):
    """A second model (multi-table inheritance): a Novel is a Book."""

    genre = models.CharField(max_length=50, default="")


class Delivery(models.Model):
    """What the worker's receivers write: the test reads it from the shared database file."""

    book = models.ForeignKey(Book, null=True, on_delete=models.SET_NULL)
    title = models.CharField(max_length=200)
    sender = models.CharField(max_length=100)
    readers = models.CharField(max_length=500)
    receiver = models.CharField(max_length=100)
