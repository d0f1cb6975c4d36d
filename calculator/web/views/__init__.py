"""Views of the pages: orders (entry, preview, list, detail, actions), the claim summary (page,
PDF, CSV) and the 837P claim files."""
