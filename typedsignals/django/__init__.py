"""typedsignals for Django projects: Django's built-in signals, checked.

``declarations`` declares, for each built-in signal of Django 5.2 and 6.1,
its sender type and its payload TypedDict (``PostSave[Book]`` and the rest),
read from Django's own sends. Two checkers read them:

* the system check, when this package is an installed app
  (``INSTALLED_APPS = [..., "typedsignals.django"]``): ``manage.py check``
  reports each receiver that breaks a receiver rule (``typedsignals.E001`` to
  ``E006``, one id per rule);
* the mypy plugin ``typedsignals.mypy``, listed after django-stubs' plugin:
  ``@receiver(post_save, sender=Book)`` and ``post_save.connect(...)`` are
  checked against the same declarations.

Importing this package needs no Django; its app (``apps``) and check
(``checks``) do: ``pip install 'typedsignals[django]'``.
"""
