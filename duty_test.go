package anxin

import (
	"slices"
	"testing"
	"time"
)

func TestChooseAgent(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	on := func(id int64, open int, last time.Time) Candidate {
		return Candidate{UserID: id, OnDuty: true, Open: open, LastAuto: last}
	}
	tests := []struct {
		name  string
		cands []Candidate
		group []int64
		want  int64
		ok    bool
	}{
		{"fewest open wins", []Candidate{on(1, 3, time.Time{}), on(2, 1, t0), on(3, 2, time.Time{})}, nil, 2, true},
		{"equals: least recently auto-assigned", []Candidate{on(1, 2, t0.Add(time.Minute)), on(2, 2, t0)}, nil, 2, true},
		{"equals never auto-assigned first", []Candidate{on(1, 2, t0), on(2, 2, time.Time{})}, nil, 2, true},
		{"full tie: lowest id", []Candidate{on(3, 0, t0), on(2, 0, t0)}, nil, 2, true},
		{"off duty and disabled skipped", []Candidate{{UserID: 1}, {UserID: 2, OnDuty: true, Disabled: true}, on(3, 9, t0)}, nil, 3, true},
		{"group limits", []Candidate{on(1, 0, time.Time{}), on(2, 5, t0)}, []int64{2}, 2, true},
		{"group nobody on duty", []Candidate{on(1, 0, time.Time{}), {UserID: 2}}, []int64{2}, 0, false},
		{"nobody on duty", []Candidate{{UserID: 1}, {UserID: 2}}, nil, 0, false},
		{"no candidates", nil, nil, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ChooseAgent(tt.cands, tt.group)
			if got != tt.want || ok != tt.ok {
				t.Errorf("ChooseAgent = %d, %v; want %d, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

// Round robin: two agents with equal loads share a run of tickets in turn.
func TestChooseAgentRoundRobin(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	cands := []Candidate{{UserID: 1, OnDuty: true}, {UserID: 2, OnDuty: true}, {UserID: 3, OnDuty: true}}
	var got []int64
	for i := range 6 {
		id, ok := ChooseAgent(cands, nil)
		if !ok {
			t.Fatal("nobody chosen")
		}
		got = append(got, id)
		for k := range cands {
			if cands[k].UserID == id {
				cands[k].LastAuto = t0.Add(time.Duration(i) * time.Second) // tickets closed at once: loads stay equal
			}
		}
	}
	if want := []int64{1, 2, 3, 1, 2, 3}; !slices.Equal(got, want) {
		t.Errorf("round robin = %v, want %v", got, want)
	}
}

func TestComesBack(t *testing.T) {
	p := Policy{}
	tr, _ := Lookup(NeedsEvidence, AddEvidence, p)
	if !ComesBack(Change{Transition: tr}) {
		t.Error("evidence added should bring the ticket back")
	}
	tr, _ = Lookup(PendingMerchant, RequestEvidence, p)
	if ComesBack(Change{Transition: tr}) {
		t.Error("requesting evidence does not bring the ticket back")
	}
	tr, _ = Lookup(Rejected, Appeal, p)
	if ComesBack(Change{Transition: tr}) {
		t.Error("an appeal goes to arbitration, not back to the merchant")
	}
}

func TestMentions(t *testing.T) {
	people := []Mentionable{{1, "王晓", "agent1"}, {2, "Li", "li"}, {3, "Lin Mei", "lin"}, {4, "陈静", "agent2"}}
	tests := []struct {
		body string
		want []int64
	}{
		{"@王晓请看一下", []int64{1}},
		{"ask @agent2 and @王晓.", []int64{1, 4}},
		{"@Lin Mei please", []int64{3}},
		{"@Lin please", []int64{3}},
		{"@Li, please", []int64{2}},
		{"@Lisa please", nil},
		{"mail li@example.com", nil},
		{"no mention of 王晓", nil},
		{"@AGENT1 twice @agent1", []int64{1}},
	}
	for _, tt := range tests {
		if got := Mentions(tt.body, people); !slices.Equal(got, tt.want) {
			t.Errorf("Mentions(%q) = %v, want %v", tt.body, got, tt.want)
		}
	}
}
