"""Read queries shared by the pages, the API and the exports: the catalog (the engine's view of
the database, product search), saved orders (filters, the claim summary) and the pre-billing
scrubber's checks of saved claims."""
