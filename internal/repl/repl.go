// Package repl is custseg's interactive SQL shell over a *sql.DB: statements
// end with ';' and may span lines, dot-commands (.help, .tables, .schema,
// .functions, .mode, .timer, .quit) inspect the database and change the
// output, and an SQL error is reported without leaving the shell. Piped
// input runs as a script.
package repl

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/peterh/liner"

	"github.com/custseg/custseg/internal/output"
	custsql "github.com/custseg/custseg/sql"
)

// Options configures a shell session.
type Options struct {
	// In holds the statements when not Interactive. Interactive sessions
	// read the process's terminal (os.Stdin) through the line editor.
	In io.Reader
	// Out receives results, Err the error messages; nil means os.Stdout and
	// os.Stderr.
	Out, Err io.Writer
	// Interactive turns on the line editor, the banner, prompts and the
	// command history; the caller decides (typically: stdin is a terminal).
	// In an interactive session Ctrl-C cancels the line being typed or the
	// running statement, not the session, and Ctrl-D leaves; such a session
	// ignores the cancellation of ctx (a caller's signal.NotifyContext would
	// otherwise end the shell on the first Ctrl-C).
	Interactive bool
	// HistoryFile keeps the command history between interactive sessions
	// ("" = no file).
	HistoryFile   string
	Prompt        string        // default "custseg> "
	Engine        string        // shown in the banner, e.g. "DuckDB 1.5.6"
	Format        output.Format // initial .mode, default table
	FunctionNames []string      // listed by .functions
}

// Run reads and executes statements until the input ends, .quit, or ctx is
// done. Every statement runs on one connection, so temporary tables,
// transactions and settings persist through the session.
//
// Interactive sessions report errors and carry on, and Run returns nil at
// the end. Scripts carry on past errors too, but Run then returns an error
// saying how many statements failed, for a non-zero exit status.
func Run(ctx context.Context, db *sql.DB, opts Options) error {
	if opts.Out == nil {
		opts.Out = os.Stdout
	}
	if opts.Err == nil {
		opts.Err = os.Stderr
	}
	if opts.In == nil {
		opts.In = os.Stdin
	}
	if opts.Prompt == "" {
		opts.Prompt = "custseg> "
	}
	if opts.Format == "" {
		opts.Format = output.Table
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	s := &session{opts: opts, conn: conn, format: opts.Format}
	if opts.Interactive {
		return s.interactive(context.WithoutCancel(ctx))
	}
	return s.script(ctx)
}

// StdinIsTerminal reports whether standard input is a terminal: the usual
// choice for Options.Interactive (`custseg shell < script.sql` then runs as
// a script).
func StdinIsTerminal() bool {
	_, err := liner.TerminalMode()
	return err == nil
}

type session struct {
	opts    Options
	conn    *sql.Conn
	format  output.Format
	timer   bool
	dialect string // "sqlite" or "information_schema", found on first use
	failed  int
	run     int

	mu     sync.Mutex
	cancel context.CancelFunc // of the running statement
}

var errQuit = errors.New("quit")

func (s *session) script(ctx context.Context) error {
	r := bufio.NewReaderSize(s.opts.In, 64<<10)
	var pending strings.Builder
	pendingLine, lineNo := 1, 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		text, rerr := r.ReadString('\n')
		if rerr != nil && rerr != io.EOF {
			return rerr
		}
		if text == "" && rerr == io.EOF {
			break
		}
		lineNo++
		quit, err := s.feed(ctx, &pending, &pendingLine, lineNo, strings.TrimSuffix(text, "\n"), true)
		if err != nil {
			return err
		}
		if quit {
			return s.result()
		}
		if rerr == io.EOF {
			break
		}
	}
	// A last statement without its ';' still runs.
	if rest := strings.TrimSpace(pending.String()); rest != "" {
		if _, _, leftover := splitStatements(rest + ";"); leftover == "" {
			s.exec(ctx, rest, pendingLine, true)
		} else {
			s.fail(fmt.Sprintf("near line %d: incomplete statement at end of input (unclosed quote or comment)", pendingLine), true)
		}
	}
	return s.result()
}

func (s *session) result() error {
	if s.failed > 0 {
		return fmt.Errorf("%d of %d statements failed", s.failed, s.run)
	}
	return nil
}

// feed adds one input line: a dot-command when no statement is pending,
// otherwise SQL whose complete statements are executed at once.
func (s *session) feed(ctx context.Context, pending *strings.Builder, pendingLine *int, lineNo int, text string, script bool) (quit bool, err error) {
	if pending.Len() == 0 && strings.HasPrefix(strings.TrimSpace(text), ".") {
		if err := s.dot(ctx, strings.TrimSpace(text), lineNo, script); err == errQuit {
			return true, nil
		}
		return false, nil
	}
	if pending.Len() == 0 {
		*pendingLine = lineNo
	}
	pending.WriteString(text)
	pending.WriteByte('\n')
	all := pending.String()
	stmts, lines, rest := splitStatements(all)
	for i, st := range stmts {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		s.exec(ctx, st, *pendingLine+lines[i]-1, script)
	}
	*pendingLine += strings.Count(all[:len(all)-len(rest)], "\n")
	pending.Reset()
	pending.WriteString(rest)
	return false, nil
}

// exec runs one statement and renders its result.
func (s *session) exec(ctx context.Context, stmt string, line int, script bool) {
	s.run++
	qctx, cancel := context.WithCancel(ctx)
	s.mu.Lock()
	s.cancel = cancel
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.cancel = nil
		s.mu.Unlock()
		cancel()
	}()
	start := time.Now()
	var rows *sql.Rows
	var err error
	if returnsRows(stmt) {
		rows, err = s.conn.QueryContext(qctx, stmt)
	} else {
		_, err = s.conn.ExecContext(qctx, stmt)
	}
	if rows != nil {
		_, err = output.Write(s.opts.Out, rows, s.format)
		if cerr := rows.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		if qctx.Err() != nil && ctx.Err() == nil {
			err = errors.New("interrupted")
		}
		msg := err.Error()
		if script {
			msg = fmt.Sprintf("near line %d: %s", line, msg)
		}
		s.fail(msg, false)
		return
	}
	if s.timer {
		fmt.Fprintf(s.opts.Out, "Run Time: %.3fs\n", time.Since(start).Seconds())
	}
}

// fail reports an error; counted says whether it is not an SQL statement
// (statements are counted in exec).
func (s *session) fail(msg string, counted bool) {
	s.failed++
	if counted {
		s.run++
	}
	fmt.Fprintf(s.opts.Err, "Error: %s\n", msg)
}

// interactive runs the line editor on the terminal.
func (s *session) interactive(ctx context.Context) error {
	ln := liner.NewLiner()
	defer ln.Close()
	ln.SetCtrlCAborts(true)
	if s.opts.HistoryFile != "" {
		if f, err := os.Open(s.opts.HistoryFile); err == nil {
			ln.ReadHistory(f)
			f.Close()
		}
		defer func() {
			if f, err := os.Create(s.opts.HistoryFile); err == nil {
				ln.WriteHistory(f)
				f.Close()
			} else {
				fmt.Fprintf(s.opts.Err, "Error: saving history: %v\n", err)
			}
		}()
	}

	// Ctrl-C while a statement runs cancels it (at the prompt the terminal
	// is in raw mode and liner sees the key instead).
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	defer func() {
		signal.Stop(sig)
		close(sig)
	}()
	go func() {
		for range sig {
			s.mu.Lock()
			if s.cancel != nil {
				s.cancel()
			}
			s.mu.Unlock()
		}
	}()

	engine := ""
	if s.opts.Engine != "" {
		engine = " on " + s.opts.Engine
	}
	fmt.Fprintf(s.opts.Out, "custseg shell%s: end statements with \";\", .help for help, Ctrl-D to leave\n", engine)

	cont := strings.Repeat(" ", max(0, len(s.opts.Prompt)-5)) + "...> "
	var pending strings.Builder
	var entered []string // lines of the statement being typed, for history
	pendingLine, lineNo := 1, 0
	var plain *bufio.Reader // when stdout is not a terminal
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		prompt := s.opts.Prompt
		if pending.Len() > 0 {
			prompt = cont
		}
		var text string
		var err error
		if plain == nil {
			text, err = ln.Prompt(prompt)
			if err == liner.ErrNotTerminalOutput {
				plain = bufio.NewReader(s.opts.In)
			}
		}
		if plain != nil {
			fmt.Fprint(s.opts.Out, prompt)
			text, err = plain.ReadString('\n')
			if err == io.EOF && text != "" {
				err = nil
			}
			text = strings.TrimSuffix(text, "\n")
		}
		switch {
		case err == liner.ErrPromptAborted:
			pending.Reset()
			entered = nil
			continue
		case err == io.EOF:
			fmt.Fprintln(s.opts.Out)
			return nil
		case err != nil:
			return err
		}
		lineNo++
		if pending.Len() == 0 && strings.TrimSpace(text) == "" {
			continue
		}
		entered = append(entered, strings.TrimSpace(text))
		quit, err := s.feed(ctx, &pending, &pendingLine, lineNo, text, false)
		if pending.Len() == 0 {
			ln.AppendHistory(strings.Join(entered, " "))
			entered = nil
		}
		if err != nil {
			return err
		}
		if quit {
			return nil
		}
	}
}

const help = `.functions        list the custseg SQL functions
.help             show this message
.mode [MODE]      show or set the output mode: table, csv or json
.quit, .exit      leave the shell
.schema [TABLE]   show the CREATE statements of all tables, or of TABLE
.tables           list the tables and views
.timer on|off     show how long each statement takes
SQL statements end with ";" and may span several lines.
`

// dot runs a dot-command.
func (s *session) dot(ctx context.Context, cmd string, line int, script bool) error {
	fields := strings.Fields(cmd)
	name, args := fields[0], fields[1:]
	where := ""
	if script {
		where = fmt.Sprintf("near line %d: ", line)
	}
	bad := func(format string, a ...any) error {
		s.fail(where+fmt.Sprintf(format, a...), true)
		return nil
	}
	switch name {
	case ".quit", ".exit", ".q":
		return errQuit
	case ".help":
		fmt.Fprint(s.opts.Out, help)
	case ".mode":
		if len(args) == 0 {
			fmt.Fprintf(s.opts.Out, "%s\n", s.format)
			return nil
		}
		f, err := output.ParseFormat(args[0])
		if err != nil {
			return bad("%v", err)
		}
		s.format = f
	case ".timer":
		switch {
		case len(args) == 1 && (args[0] == "on" || args[0] == "1"):
			s.timer = true
		case len(args) == 1 && (args[0] == "off" || args[0] == "0"):
			s.timer = false
		default:
			return bad("usage: .timer on|off")
		}
	case ".functions":
		names := slices.Clone(s.opts.FunctionNames)
		slices.Sort(names)
		if len(names) == 0 {
			fmt.Fprintln(s.opts.Out, "(no custseg functions registered)")
		}
		for _, n := range slices.Compact(names) {
			fmt.Fprintln(s.opts.Out, n)
		}
	case ".tables":
		names, err := s.tables(ctx)
		if err != nil {
			return bad(".tables: %v", err)
		}
		for _, n := range names {
			fmt.Fprintln(s.opts.Out, n)
		}
	case ".schema":
		if len(args) > 1 {
			return bad("usage: .schema [TABLE]")
		}
		table := ""
		if len(args) == 1 {
			table = args[0]
		}
		ddl, err := s.schema(ctx, table)
		if err != nil {
			return bad(".schema: %v", err)
		}
		if len(ddl) == 0 && table != "" {
			return bad(".schema: no table or view named %q", table)
		}
		for _, d := range ddl {
			fmt.Fprintf(s.opts.Out, "%s;\n", d)
		}
	default:
		return bad("unknown command %s: .help lists the commands", name)
	}
	return nil
}

// execOnly are the statements run with Exec: they return no rows worth
// showing (DuckDB would answer CREATE and INSERT with a "Count" column).
var execOnly = map[string]bool{
	"CREATE": true, "DROP": true, "ALTER": true, "INSERT": true, "UPDATE": true, "DELETE": true,
	"BEGIN": true, "COMMIT": true, "END": true, "ROLLBACK": true, "ABORT": true, "SAVEPOINT": true, "RELEASE": true,
	"ATTACH": true, "DETACH": true, "SET": true, "RESET": true, "USE": true, "LOAD": true, "INSTALL": true,
	"VACUUM": true, "ANALYZE": true, "CHECKPOINT": true, "REINDEX": true, "COPY": true,
	"IMPORT": true, "EXPORT": true, "TRUNCATE": true, "COMMENT": true,
}

// returnsRows reports whether stmt is run as a query (and its result
// shown): anything not in execOnly, and any statement with RETURNING.
func returnsRows(stmt string) bool {
	if !execOnly[custsql.Keyword(stmt)] {
		return true
	}
	return strings.Contains(strings.ToUpper(stmt), "RETURNING")
}
