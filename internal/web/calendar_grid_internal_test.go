package web

import "testing"

// TestLayLanes: overlapping blocks stand side by side, a run of them
// sharing one lane count; a block after the run is alone again.
func TestLayLanes(t *testing.T) {
	bs := []gridBlock{{Row: 2, Span: 2}, {Row: 3, Span: 1}, {Row: 3, Span: 2}, {Row: 6, Span: 1}, {Row: 4, Span: 1}}
	layLanes(bs)
	want := []struct{ row, lane, lanes int }{{2, 0, 3}, {3, 1, 3}, {3, 2, 3}, {4, 0, 3}, {6, 0, 1}}
	for i, w := range want {
		if b := bs[i]; b.Row != w.row || b.Lane != w.lane || b.Lanes != w.lanes {
			t.Errorf("block %d: row %d lane %d of %d, want row %d lane %d of %d", i, b.Row, b.Lane, b.Lanes, w.row, w.lane, w.lanes)
		}
	}
	many := make([]gridBlock, 6)
	for i := range many {
		many[i] = gridBlock{Row: 2, Span: 1}
	}
	layLanes(many)
	if many[5].Lane != gridMaxLanes-1 || many[5].Lanes != gridMaxLanes {
		t.Errorf("beyond the cap: lane %d of %d", many[5].Lane, many[5].Lanes)
	}
}
