package store

// DecisionsByPersonSQL is the query of DecisionsByPerson with its n actions' placeholders.
func DecisionsByPersonSQL(n int) string {
	marks := "?"
	for range n - 1 {
		marks += ", ?"
	}
	return decisionsByPersonSQL(marks)
}

// ClocksByAssigneeSQL is the assignees' clocks query of DecisionsByPerson.
func ClocksByAssigneeSQL(n int) string {
	marks := "?"
	for range n - 1 {
		marks += ", ?"
	}
	return clocksByAssigneeSQL(marks)
}
