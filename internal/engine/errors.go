package engine

import "errors"

// Errors callers tell apart with errors.Is; messages carry the details.
var (
	// ErrUnknownEngine: an --engine value or a file extension that names
	// no engine.
	ErrUnknownEngine = errors.New("unknown engine")
	// ErrPath: a database path the engine cannot open as that exact file.
	ErrPath = errors.New("unusable database path")
	// ErrLocked: another process kept a DuckDB file open for longer than
	// LockWait.
	ErrLocked = errors.New("database file is locked")
)
