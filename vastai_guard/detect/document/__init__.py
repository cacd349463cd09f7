"""The document model: a file's own structure (key paths, sections, headings, tables, blocks),
built only for a file with at least one candidate, bounded, and linear in the file's size."""
