package anxin

// Role is what a person (or the system) is in the helpdesk.
type Role string

const (
	RoleAdmin    Role = "admin"
	RoleAgent    Role = "agent"    // 客服: the support team
	RoleMerchant Role = "merchant" // 商家: a store's staff, bound to one merchant
	RoleBuyer    Role = "buyer"    // acts through the intake API, or an agent on the buyer's behalf
	RoleSystem   Role = "system"   // the scheduler and the refund provider
)

// UserRoles lists the roles a login account may have.
func UserRoles() []Role { return []Role{RoleAdmin, RoleAgent, RoleMerchant} }

// Valid reports whether r is a role a user account may hold.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleAgent, RoleMerchant:
		return true
	}
	return false
}

// Actor is who takes an action: a user, the buyer, or the system.
type Actor struct {
	Role       Role
	UserID     int64 // 0 for the system and for the buyer
	Name       string
	MerchantID int64 // the only merchant it may act for: a merchant user's, or a merchant API key's for the buyer
}

// System is the actor of every automatic action.
func System() Actor { return Actor{Role: RoleSystem, Name: "system"} }

// Buyer is the actor of the buyer's own requests through the intake API.
func Buyer() Actor { return Actor{Role: RoleBuyer, Name: "buyer"} }

// roleSet is a small set of roles. An admin may do everything an agent may.
type roleSet uint8

const (
	adminBit roleSet = 1 << iota
	agentBit
	merchantBit
	buyerBit
	systemBit
)

func rolesOf(rs ...Role) roleSet {
	var s roleSet
	for _, r := range rs {
		s |= roleBit(r)
	}
	return s
}

func roleBit(r Role) roleSet {
	switch r {
	case RoleAdmin:
		return adminBit
	case RoleAgent:
		return agentBit
	case RoleMerchant:
		return merchantBit
	case RoleBuyer:
		return buyerBit
	case RoleSystem:
		return systemBit
	}
	return 0
}

func (s roleSet) has(r Role) bool {
	if r == RoleAdmin {
		r = RoleAgent
	}
	return s&roleBit(r) != 0
}
