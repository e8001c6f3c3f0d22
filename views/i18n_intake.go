package views

func init() { addZH(intakeZH) }

// intakeZH is what a claim's creation says on the timeline besides the
// buyer's words.
var intakeZH = map[string]string{
	"postage capped at %s: %s claimed": "运费险按上限 %s 赔付（申请 %s）",
}
