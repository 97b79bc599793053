package registry

import "errors"

// Errors callers tell apart with errors.Is; messages carry the details.
var (
	// ErrNotFound: no such model, or no such version of it.
	ErrNotFound = errors.New("no such model")
	// ErrActive: the version is the active one (it cannot be deleted).
	ErrActive = errors.New("is the active version")
	// ErrOldest: no version older than the active one to roll back to.
	ErrOldest = errors.New("the active version is the oldest there is")
	// ErrNoVersion: a command that needs name@version got a bare name.
	ErrNoVersion = errors.New("no version given")
)
