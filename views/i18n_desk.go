package views

func init() {
	addZH(deskZH)
	addEN(deskEN)
}

// deskEN says the desk's identifiers in English: the refund undo's action
// and the audit action of an agent's override.
var deskEN = map[string]string{
	"undo_refund":          "Refund undone",
	"audit:override_claim": "accepted a claim outside its window",
}

// deskZH is the agent's desk: claims entered by agents (with an override of
// the window), partial arbitration awards and the refund's undo.
var deskZH = map[string]string{
	// Partial award (部分裁决)
	"Partial award":                    "部分裁决",
	"Reason for the ruling (optional)": "裁决理由（可选）",
	"Award this amount":                "按此金额裁决",
	"partial award: %s":                "部分裁决：%s",
	"partial award":                    "部分裁决",
	"audit:override_claim":             "破例受理超出时限的申请",
}
