package fhirapi

import (
	"sort"
	"strings"

	"medic"
)

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// pageByID pages a small list held in memory (practitioners, locations) by
// id, the cursor being the last id shown.
func pageByID[T any](items []T, id func(T) string, page medic.Page) (out []T, next string) {
	return pageByKey(items, id, false, page)
}

// pageByKey pages a small list held in memory in the order of a unique
// key (descending when desc), the cursor being the last key shown.
func pageByKey[T any](items []T, key func(T) string, desc bool, page medic.Page) (out []T, next string) {
	page = page.Normalize()
	sort.Slice(items, func(i, j int) bool { return (key(items[i]) < key(items[j])) != desc })
	for _, it := range items {
		if k := key(it); page.Cursor != "" && (k == page.Cursor || (k < page.Cursor) != desc) {
			continue
		}
		if len(out) == page.Limit {
			return out, key(out[len(out)-1])
		}
		out = append(out, it)
	}
	return out, ""
}

// allPages reads every page of a list use case.
func allPages[T any](list func(medic.Page) ([]T, string, error)) ([]T, error) {
	var out []T
	p := medic.Page{Limit: medic.MaxLimit}
	for {
		items, next, err := list(p)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if next == "" {
			return out, nil
		}
		p.Cursor = next
	}
}

// matchesWord reports whether a word of s starts with prefix (case-insensitively).
func matchesWord(s, prefix string) bool {
	prefix = strings.ToLower(strings.TrimSpace(prefix))
	for _, w := range strings.Fields(strings.ToLower(s)) {
		if strings.HasPrefix(w, prefix) {
			return true
		}
	}
	return false
}

// countPages counts the items of a paged list use case (each page is
// audited as listed).
func countPages(list func(medic.Page) (int, string, error)) (int, error) {
	total := 0
	p := medic.Page{Limit: medic.MaxLimit}
	for {
		n, next, err := list(p)
		if err != nil {
			return 0, err
		}
		total += n
		if next == "" {
			return total, nil
		}
		p.Cursor = next
	}
}
