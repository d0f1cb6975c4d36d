"""The home-infusion calculator app (label `calculator`): domain/ (pure), engine/, models/,
selectors/, services/, web/, api/ and http/; see docs/architecture.md."""
