package anxin_test

import (
	"testing"

	"github.com/anxin-helpdesk/anxin"
)

func TestParseTicketNumber(t *testing.T) {
	tests := []struct {
		in   string
		id   int64
		want bool
	}{
		{"AX-000123", 123, true},
		{"ax-000123", 123, true},
		{"ax123", 123, true},
		{"123", 123, true},
		{" AX-7 ", 7, true},
		{anxin.TicketNumber(4567890), 4567890, true},
		{"AX-0", 0, false},
		{"0", 0, false},
		{"-5", 0, false},
		{"AX--5", 0, false},
		{"+5", 0, false},
		{"AX-+5", 0, false},
		{"AX-x", 0, false},
		{"AX-", 0, false},
		{"", 0, false},
		{"BX-000123", 0, false},
		{"AX-99999999999999999999", 0, false},
	}
	for _, tt := range tests {
		id, ok := anxin.ParseTicketNumber(tt.in)
		if id != tt.id || ok != tt.want {
			t.Errorf("ParseTicketNumber(%q) = %d, %v; want %d, %v", tt.in, id, ok, tt.id, tt.want)
		}
	}
}
