"""The image upload form of the Wagtail admin, with a file field that reads the whole image.

Wagtail's field checks the first bytes of a file (``GIF89a`` says GIF) and then asks Pillow
for the size; a file that starts like an image but is not one (``GIF89a<html>...``) makes
Pillow raise there, outside the field's own checks: a 500 instead of a message. A file whose
header and size read but whose pixels are broken would pass, and fail later, when a page
first shows it. This field decodes the image once on upload and turns any failure into the
field's usual "not a valid image" message.
"""

from io import BytesIO

from django.core.exceptions import ValidationError

from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm

from PIL import Image

# What Pillow raises for a file it cannot read: UnidentifiedImageError and truncated data
# are OSErrors; some decoders raise SyntaxError, ValueError or EOFError.
UNREADABLE_IMAGE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError)


def decode_image(data):
    """Decode the first frame of an uploaded file; raises one of UNREADABLE_IMAGE_ERRORS."""
    if hasattr(data, "temporary_file_path"):
        source = data.temporary_file_path()
    else:
        data.seek(0)
        source = BytesIO(data.read())
        data.seek(0)
    with Image.open(source) as image:
        image.load()


class CheckedImageField(WagtailImageField):
    def to_python(self, data):
        try:
            image_file = super().to_python(data)
            if image_file is not None:
                decode_image(data)
        except ValidationError:
            raise
        except UNREADABLE_IMAGE_ERRORS as error:
            raise ValidationError(
                self.error_messages["invalid_image"], code="invalid_image"
            ) from error
        return image_file


class ImageForm(BaseImageForm):
    """WAGTAILIMAGES_IMAGE_FORM_BASE: Wagtail's image form with the checked file field."""

    file = CheckedImageField(label="File")
