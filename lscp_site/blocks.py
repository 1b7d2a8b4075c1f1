"""Chooser blocks whose chosen pages and pictures load with SQL compiled once per process.

Wagtail's chooser blocks load everything a StreamField chose with one ``in_bulk`` query per
kind (pages, events, pictures), which is right; building that query costs more CPU than
PostgreSQL takes to answer it, on every uncached view of an issue. These blocks behave as
Wagtail's in every other way (see lscp_site/compiled_queries.py).
"""

from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock as WagtailImageChooserBlock

from lscp_site.compiled_queries import objects_in_order


class PageChooserBlock(blocks.PageChooserBlock):
    def bulk_to_python(self, values):
        return objects_in_order(self.model_class, list(values))


class ImageChooserBlock(WagtailImageChooserBlock):
    def bulk_to_python(self, values):
        return objects_in_order(self.model_class, list(values))
