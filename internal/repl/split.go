package repl

import custsql "github.com/custseg/custseg/sql"

// splitStatements cuts the complete statements off the front of text with
// custseg's one splitter (custsql.Split): their SQL, the line (1-based,
// within text) each starts on, and the unfinished rest.
func splitStatements(text string) (stmts []string, lines []int, rest string) {
	all, rest, _ := custsql.Split(text)
	for _, st := range all {
		stmts = append(stmts, st.SQL)
		lines = append(lines, st.Line)
	}
	return stmts, lines, rest
}
