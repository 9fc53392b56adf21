"""The management commands of typedsignals' Django app (``typedsignals.django``)."""
