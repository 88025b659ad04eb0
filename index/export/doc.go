// Package export writes papers in the formats reference managers import:
// BibTeX (biblatex reads it too), RIS and CSL-JSON. A round trip through
// any of them and back through index/ingest keeps each paper's title,
// authors, year, DOI, arXiv id, PMID and abstract (tested in
// export_test.go); what a format cannot say is listed at its writer.
package export
