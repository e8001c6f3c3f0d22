package anxin

import (
	"strings"
	"time"
)

// ReturnAddress is where a merchant takes returns back: one of the
// merchant's address book, one of which is its default. A ticket keeps a
// copy of the address it sent the buyer (TicketAddress), so that a later
// edit of the book does not rewrite what the buyer was told.
type ReturnAddress struct {
	ID         int64
	MerchantID int64
	Name       string // who receives the parcel
	Phone      string // a mobile (13800138000) or a landline with its area code (0571-88886666)
	Region     string // province, city and district: 浙江省 杭州市 余杭区
	Street     string // street, building, room
	Default    bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// The fields of an address, as the API and the forms name them.
const (
	FieldAddressName   Field = "address.name"
	FieldAddressPhone  Field = "address.phone"
	FieldAddressRegion Field = "address.region"
	FieldAddressStreet Field = "address.street"
)

// Limits of an address, in characters.
const (
	MaxRegionLen = 100
	MaxStreetLen = 200
)

// Validate tidies the address and checks it: every part is required, the
// phone is one a courier can call. Each refusal names its field.
func (a *ReturnAddress) Validate() error {
	a.Name, a.Region, a.Street = strings.TrimSpace(a.Name), strings.TrimSpace(a.Region), strings.TrimSpace(a.Street)
	a.Phone = strings.Join(strings.Fields(a.Phone), "")
	for _, f := range []struct {
		field Field
		value string
		max   int
	}{
		{FieldAddressName, a.Name, MaxNameLen},
		{FieldAddressPhone, a.Phone, MaxCodeLen},
		{FieldAddressRegion, a.Region, MaxRegionLen},
		{FieldAddressStreet, a.Street, MaxStreetLen},
	} {
		if f.value == "" {
			return Fail(MsgFieldRequired, f.field)
		}
		if err := CheckText(f.field, f.value, f.max, false); err != nil {
			return err
		}
	}
	if !ValidPhone(a.Phone) {
		return Fail(MsgPhoneFormat, FieldAddressPhone)
	}
	return nil
}

// ValidPhone reports whether s is a mainland mobile number (11 digits from
// 1) or a landline written with its area code (0571-88886666, 010-12345678),
// with an optional extension (-123).
func ValidPhone(s string) bool {
	if len(s) == 11 && s[0] == '1' && digits(s) {
		return true
	}
	parts := strings.Split(s, "-")
	if len(parts) < 2 || len(parts) > 3 {
		return false
	}
	area, number := parts[0], parts[1]
	if len(area) < 3 || len(area) > 4 || area[0] != '0' || !digits(area) || len(number) < 7 || len(number) > 8 || !digits(number) {
		return false
	}
	return len(parts) == 2 || (len(parts[2]) >= 1 && len(parts[2]) <= 6 && digits(parts[2]))
}

func digits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Line writes the address on one line, as a buyer copies it into a
// carrier's form: name, phone, region, street.
func (a ReturnAddress) Line() string {
	return strings.Join([]string{a.Name, a.Phone, a.Region, a.Street}, " ")
}

// TicketAddress is the return address a ticket sent the buyer: a copy of
// the merchant's address as it was then.
type TicketAddress struct {
	ReturnAddress           // ID is the book's address it was copied from (0: gone since)
	TicketID      int64     //
	AttachedAt    time.Time //
	AttachedBy    Actor     // who sent it: the system on an automatic approval
}

// MayChangeAddress reports whether the ticket's return address may still be
// set or changed: until the buyer ships the goods back.
func (t Ticket) MayChangeAddress() bool {
	return t.State == AwaitingReturn || t.State == ReturnOverdue
}

// AddressMessage is the system's message that tells the buyer where to send
// the goods back. Buyers read the platform in Chinese, so it is written in
// Chinese whatever language the staff's pages speak.
func AddressMessage(a ReturnAddress) string {
	return "请将商品寄回：" + a.Line() + "。寄出后请提交快递单号，或预约上门取件。"
}

// MaxReturnAddresses is how many return addresses a merchant keeps.
const MaxReturnAddresses = 20

// MayKeepAddresses reports whether the actor keeps the merchant's return
// addresses: the merchant's own people, and the admins for any merchant.
func (a Actor) MayKeepAddresses(merchantID int64) bool {
	switch a.Role {
	case RoleAdmin:
		return true
	case RoleMerchant:
		return a.MerchantID != 0 && a.MerchantID == merchantID
	}
	return false
}
