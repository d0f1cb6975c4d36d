"""The pages: forms, the views of the order pages, prints and downloads (claim summary as page,
PDF and CSV; 837P files)."""
