package anxin

import (
	"fmt"
	"strings"
)

// postageCappedDetail begins the detail of a 运费险 claim's creation when
// the postage claimed was above the cap: the claim is capped, not refused,
// and its timeline says so (ParsePostageCapped reads it back for pages).
const postageCappedDetail = "postage capped: %d fen claimed, %d fen paid at most."

// ParsePostageCapped reads the detail of a capped 运费险 claim's creation:
// the postage claimed, the most paid, and the buyer's own words after them.
// ok is false for any other detail.
func ParsePostageCapped(detail string) (claimedFen, mostFen int64, rest string, ok bool) {
	if !strings.HasPrefix(detail, "postage capped: ") {
		return 0, 0, "", false
	}
	end := strings.Index(detail, " paid at most.")
	if end < 0 {
		return 0, 0, "", false
	}
	head := detail[:end+len(" paid at most.")]
	if _, err := fmt.Sscanf(head, postageCappedDetail, &claimedFen, &mostFen); err != nil {
		return 0, 0, "", false
	}
	return claimedFen, mostFen, strings.TrimSpace(detail[len(head):]), true
}
