"""The domain: its words and catalogues, quarters, and the figures computed from frames
(norm grid, survey, disclosure, how policy works, the agenda). Pure: no files, no database."""
