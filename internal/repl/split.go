package repl

import "strings"

// splitStatements cuts the complete statements (ending in a ';' outside
// quotes and comments) off the front of text. It returns them without the
// ';' and trimmed, with the line (1-based, within text) each starts on, and
// the unfinished rest. Statements holding only comments are dropped.
//
// It knows '…' strings, "…" identifiers, -- line comments and /* */ block
// comments; it does not know SQLite's CREATE TRIGGER … BEGIN …; END, whose
// inner ';' ends the statement early.
func splitStatements(text string) (stmts []string, lines []int, rest string) {
	const (
		normal = iota
		single
		double
		lineComment
		blockComment
	)
	state := normal
	start, line, startLine := 0, 1, 1
	content := false // anything but blanks and comments since start
	mark := func() {
		if !content {
			startLine, content = line, true
		}
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '\n' {
			line++
		}
		switch state {
		case normal:
			switch {
			case c == '\'':
				mark()
				state = single
			case c == '"':
				mark()
				state = double
			case c == '-' && i+1 < len(text) && text[i+1] == '-':
				state = lineComment
				i++
			case c == '/' && i+1 < len(text) && text[i+1] == '*':
				state = blockComment
				i++
			case c == ';':
				if content {
					stmts = append(stmts, strings.TrimSpace(text[start:i]))
					lines = append(lines, startLine)
				}
				start, content = i+1, false
			case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			default:
				mark()
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
			if c == '*' && i+1 < len(text) && text[i+1] == '/' {
				state = normal
				i++
			}
		}
	}
	rest = text[start:]
	if !content && state != single && state != double && state != blockComment {
		rest = ""
	}
	return stmts, lines, rest
}
