package anxin

import "math/bits"

// MaxAmountFen is the most any amount may be: ¥10,000,000. An amount paid or
// claimed above it, or below zero, is refused before anything is computed
// from it, and every payout computed from amounts within it is checked.
const MaxAmountFen int64 = 1_000_000_000

// CheckAmount refuses an amount of money below zero or above MaxAmountFen.
func CheckAmount(f Field, fen int64) error {
	if fen < 0 || fen > MaxAmountFen {
		return Fail(MsgAmountRange, f, Fen(fen), Fen(MaxAmountFen))
	}
	return nil
}

// addFen and mulFen compute amounts of money, and say whether the result is
// a real one: not overflowed, not negative.
func addFen(a, b int64) (int64, bool) {
	if a < 0 || b < 0 {
		return 0, false
	}
	s, carry := bits.Add64(uint64(a), uint64(b), 0)
	return int64(s), carry == 0 && s <= 1<<63-1
}

func mulFen(a, k int64) (int64, bool) {
	if a < 0 || k < 0 {
		return 0, false
	}
	hi, lo := bits.Mul64(uint64(a), uint64(k))
	return int64(lo), hi == 0 && lo <= 1<<63-1
}
