package gmc

// Page asks for one page of a list. IDs are UUIDv7 and so sort by creation
// time; the cursor is the last id of the previous page, which keeps pages
// stable while rows are added.
type Page struct {
	Limit  int
	Cursor string
}

// Normalize applies the default and maximum page sizes.
func (p Page) Normalize() Page {
	if p.Limit <= 0 {
		p.Limit = DefaultPageSize
	}
	if p.Limit > MaxPageSize {
		p.Limit = MaxPageSize
	}
	return p
}

// NextCursor returns the cursor for the page after items, or "" when the
// store fetched no more than limit rows. Stores fetch limit+1 rows to know.
func NextCursor[T any](items []T, limit int, id func(T) string) ([]T, string) {
	if len(items) <= limit {
		return items, ""
	}
	items = items[:limit]
	return items, id(items[limit-1])
}

// EachPage calls fn for every item of a paged list, page after page.
func EachPage[T any](list func(cursor string) ([]T, string, error), fn func(T)) error {
	for cursor := ""; ; {
		items, next, err := list(cursor)
		if err != nil {
			return err
		}
		for _, it := range items {
			fn(it)
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
}

// FullPage asks for the largest page after cursor, for readers that walk a
// whole list.
func FullPage(cursor string) Page { return Page{Limit: MaxPageSize, Cursor: cursor} }
