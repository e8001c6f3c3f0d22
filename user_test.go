package anxin

import (
	"strings"
	"testing"
)

func TestValidatePassword(t *testing.T) {
	const email = "wang.xiao@anxin.example"
	for _, c := range []struct {
		password string
		ok       bool
	}{
		{"correct-horse-battery", true},
		{"安心售后密码是十个字", true},                 // ten characters, 30 bytes
		{strings.Repeat("a", 9) + "b", true}, // ten characters, not all one
		{"short-pw", false},
		{"安心售后密码", false}, // six characters, 18 bytes
		{strings.Repeat("a", 10), false},
		{strings.Repeat("密", 12), false},
		{email, false},
		{"  WANG.XIAO@ANXIN.EXAMPLE ", false},
		{strings.Repeat("ab", 36), true},        // 72 bytes: bcrypt reads them all
		{strings.Repeat("ab", 36) + "c", false}, // 73: would be cut
		{strings.Repeat("安心", 12), true},        // 24 Chinese characters: 72 bytes
		{strings.Repeat("安心", 12) + "售", false}, // 75 bytes
		{strings.Repeat("x", 200) + "y", false}, // refused, not a 500
	} {
		err := ValidatePassword(c.password, email)
		if (err == nil) != c.ok {
			t.Errorf("%q: %v, want ok=%v", c.password, err, c.ok)
		}
		if err != nil && ErrorCode(err) != EINVALID {
			t.Errorf("%q: code %s, want %s", c.password, ErrorCode(err), EINVALID)
		}
	}
}
