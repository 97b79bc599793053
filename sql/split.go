package custsql

import "strings"

// Statement is one statement of a script.
type Statement struct {
	SQL  string // from its first token to its ';' (excluded), comments inside kept
	Line int    // 1-based line of the script where its first token is
}

// Split cuts script into the statements ended by a ';' outside '…' strings,
// "…" identifiers, -- line comments and /* */ block comments; statements
// holding only comments are dropped. tail is the text after the last ';'
// (verbatim, so a caller that reads line by line can keep it and count its
// lines), or "" when it holds nothing but blanks and comments. open reports
// that the tail ends inside a string, an identifier or a block comment, so
// no ';' can end it yet: the REPL waits for more input, a file is broken.
//
// It does not know SQLite's CREATE TRIGGER … BEGIN …; END, whose inner ';'
// ends the statement early; custseg's SQL has no triggers.
func Split(script string) (stmts []Statement, tail string, open bool) {
	const (
		normal = iota
		single
		double
		lineComment
		blockComment
	)
	state := normal
	start, line := 0, 1 // start: just after the last ';'
	first, firstLine := -1, 0
	mark := func(i int) {
		if first < 0 {
			first, firstLine = i, line
		}
	}
	for i := 0; i < len(script); i++ {
		c := script[i]
		switch state {
		case normal:
			switch {
			case c == '\'':
				mark(i)
				state = single
			case c == '"':
				mark(i)
				state = double
			case c == '-' && i+1 < len(script) && script[i+1] == '-':
				state = lineComment
				i++
			case c == '/' && i+1 < len(script) && script[i+1] == '*':
				state = blockComment
				i++
			case c == ';':
				if first >= 0 {
					stmts = append(stmts, Statement{SQL: strings.TrimSpace(script[first:i]), Line: firstLine})
				}
				start, first = i+1, -1
			case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			default:
				mark(i)
			}
		case single:
			if c == '\'' {
				state = normal // a doubled '' re-enters single at once
			}
		case double:
			if c == '"' {
				state = normal
			}
		case lineComment:
			if c == '\n' {
				state = normal
			}
		case blockComment:
			if c == '*' && i+1 < len(script) && script[i+1] == '/' {
				state = normal
				i++
			}
		}
		if c == '\n' {
			line++
		}
	}
	open = state == single || state == double || state == blockComment
	if first < 0 && !open {
		return stmts, "", false
	}
	return stmts, script[start:], open
}

// Script returns every statement of a script, a last one without its ';'
// included: the form of custseg's embedded SQL and of sql/test. A tail left
// open by an unclosed quote or comment is returned as it is, so that the
// engine reports the syntax error.
func Script(script string) []Statement {
	stmts, tail, open := Split(script)
	if tail == "" {
		return stmts
	}
	if open {
		// The line of the tail's first non-blank character.
		lead := len(tail) - len(strings.TrimLeft(tail, " \t\r\n"))
		line := 1 + strings.Count(script[:len(script)-len(tail)+lead], "\n")
		return append(stmts, Statement{SQL: strings.TrimSpace(tail), Line: line})
	}
	last, _, _ := Split(tail + "\n;")
	line := 1 + strings.Count(script[:len(script)-len(tail)], "\n")
	for _, st := range last {
		st.Line += line - 1
		stmts = append(stmts, st)
	}
	return stmts
}

// Statements returns the SQL of every statement of a script (see Script).
func Statements(script string) []string {
	var out []string
	for _, st := range Script(script) {
		out = append(out, st.SQL)
	}
	return out
}
