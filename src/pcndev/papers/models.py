"""Committee papers prepared in the background: one stored file per programme, place and format.

The bytes live in the database (not on one server's disk), so any app server can hand them out. Preparing again
overwrites the row, which is what makes the task safe to run twice.
"""

from django.conf import settings
from django.db import models


class PreparedPaper(models.Model):
    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "Word document (DOCX)"

    programme = models.ForeignKey("funding.Programme", on_delete=models.CASCADE, related_name="+")
    place = models.ForeignKey("orgs.Place", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=4, choices=Kind.choices)
    # The latest request: its task on the queue (django_tasks_db result id), who asked and when.
    task_id = models.CharField(max_length=64, blank=True, default="")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(null=True, blank=True)
    # The file last prepared (empty until the first run finishes) and whose request it was.
    content = models.BinaryField(null=True, blank=True)
    filename = models.CharField(max_length=200, blank=True, default="")
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    generated_at = models.DateTimeField(null=True, blank=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "place", "kind"], name="papers_prepared_one_per_format"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} paper for place {self.place_id} in programme {self.programme_id}"

    @property
    def ready(self) -> bool:
        return self.generated_at is not None
