//go:build !custseg_duckdb_ext

package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"
	"unsafe"

	duckdbgo "github.com/duckdb/duckdb-go/v2"

	"github.com/custseg/custseg/ext/internal/lookup"
	"github.com/custseg/custseg/udf/catalog"
)

// registered remembers the *sql.DBs Register has handled; instances maps
// the id answered by the internal function __custseg_instance() to the
// model store of that DuckDB database instance.
var registered = struct {
	sync.Mutex
	dbs       map[*sql.DB]bool
	instances map[int64]*sqlStore
	next      int64
}{dbs: map[*sql.DB]bool{}, instances: map[int64]*sqlStore{}}

// Register registers every function of catalog.All() into the DuckDB
// database behind db (opened with duckdb-go's "duckdb" driver, file or
// in-memory). Functions go into the database catalog, so every connection of
// the pool sees them. Calling it again for the same *sql.DB does nothing.
//
// Two *sql.DB opened on the same file share one DuckDB instance (duckdb-go's
// instance cache), whose catalog already holds the functions: Register
// recognises it by the internal function __custseg_instance() and only adds
// db to the model store of that instance, so lookups keep working while
// any of the two is open.
//
// Model references resolve through the *sql.DB pools (see sqlStore).
func Register(db *sql.DB) error {
	registered.Lock()
	defer registered.Unlock()
	if registered.dbs[db] {
		return nil
	}
	var id int64
	if err := db.QueryRow(`SELECT __custseg_instance()`).Scan(&id); err == nil {
		if st := registered.instances[id]; st != nil {
			st.add(db)
			registered.dbs[db] = true
			return nil
		}
	}
	registered.next++
	id = registered.next
	store := &sqlStore{}
	store.add(db)
	fns := append(append([]*catalog.Function{}, catalog.All()...), instanceFunction(id))
	if err := registerWith(db, fns, store); err != nil {
		return err
	}
	registered.instances[id] = store
	registered.dbs[db] = true
	return nil
}

// instanceFunction returns __custseg_instance(), a constant naming the
// registration, not part of the catalog (and so not documented).
func instanceFunction(id int64) *catalog.Function {
	return &catalog.Function{
		Name:          "__custseg_instance",
		Kind:          catalog.Scalar,
		Result:        catalog.Integer,
		Deterministic: true,
		Scalar: func(*catalog.Call, []catalog.Value) (catalog.Value, error) {
			return catalog.IntValue(id), nil
		},
	}
}

// registerWith registers fns on one connection of db (tests use it with
// functions of their own).
func registerWith(db *sql.DB, fns []*catalog.Function, store catalog.ModelStore) error {
	conn, err := db.Conn(context.Background())
	if err != nil {
		return fmt.Errorf("%s%w", errPrefix, err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		ptr, err := rawConnection(dc)
		if err != nil {
			return err
		}
		return registerFunctions(ptr, fns, store)
	})
}

// rawConnection returns the duckdb_connection inside a duckdb-go connection.
//
// duckdb-go (v2.10506.0) has no accessor for it. What this relies on:
// *duckdb.Conn has an unexported field "conn" of type mapping.Connection,
// a struct whose field "Ptr" (unsafe.Pointer) is the duckdb_connection.
// The field is found by name and type through reflect, so a duckdb-go
// upgrade that changes the layout makes this return an error (and
// TestRawConnectionLayout fail) instead of handing DuckDB a wrong pointer.
//
// Upstream: no duckdb/duckdb-go issue asks for such an accessor (searched
// November 2026); the closest request is the pull request of duckdb-go's
// predecessor repository that would export the connection's fields,
// https://github.com/marcboeker/go-duckdb/pull/310 (open, not merged). When
// duckdb-go exports the duckdb_connection, this function should use it.
func rawConnection(dc any) (unsafe.Pointer, error) {
	c, ok := dc.(*duckdbgo.Conn)
	if !ok {
		return nil, fmt.Errorf("%sthe connection is a %T, not duckdb-go's *duckdb.Conn: open the database with the \"duckdb\" driver", errPrefix, dc)
	}
	f, ok := reflect.TypeOf(duckdbgo.Conn{}).FieldByName("conn")
	if !ok || f.Type.Kind() != reflect.Struct {
		return nil, errLayout
	}
	p, ok := f.Type.FieldByName("Ptr")
	if !ok || p.Type.Kind() != reflect.UnsafePointer {
		return nil, errLayout
	}
	ptr := *(*unsafe.Pointer)(unsafe.Add(unsafe.Pointer(c), f.Offset+p.Offset))
	if ptr == nil {
		return nil, errConnClosed
	}
	return ptr, nil
}

// sqlStore reads custseg_models through the database/sql pool of the same
// database. Callbacks run on DuckDB worker threads during another query;
// the pool hands them another connection, so there is no lock to wait on
// (unless the application capped the pool with SetMaxOpenConns and every
// connection is busy: then the lookup fails at once rather than wait).
//
// Why the pool and not a dedicated duckdb_connection: a connection held by
// the binding would keep the database instance (and its file lock) alive
// after the application closes the *sql.DB.
type sqlStore struct {
	mu  sync.Mutex
	dbs []*sql.DB // every open *sql.DB on this instance; closed ones are dropped
}

func (s *sqlStore) add(db *sql.DB) {
	s.mu.Lock()
	s.dbs = append(s.dbs, db)
	s.mu.Unlock()
}

// lookupTimeout bounds a lookup that waits for a pooled connection, so a
// capped pool yields an error instead of a hung query.
const lookupTimeout = 30 * time.Second

func (s *sqlStore) LookupModel(name string, version int64) (kind, spec string, err error) {
	for {
		s.mu.Lock()
		if len(s.dbs) == 0 {
			s.mu.Unlock()
			return "", "", errDatabaseClosed
		}
		db := s.dbs[0]
		s.mu.Unlock()
		kind, spec, err = lookupIn(db, name, version)
		if err == nil || !isDBClosed(err) {
			return kind, spec, err
		}
		s.mu.Lock()
		for i, d := range s.dbs {
			if d == db {
				s.dbs = append(s.dbs[:i], s.dbs[i+1:]...)
				break
			}
		}
		s.mu.Unlock()
	}
}

func lookupIn(db *sql.DB, name string, version int64) (kind, spec string, err error) {
	if st := db.Stats(); st.MaxOpenConnections > 0 && st.InUse >= st.MaxOpenConnections {
		return "", "", fmt.Errorf("reading custseg_models needs a second connection, but the pool is capped at %d (SetMaxOpenConns) and all are busy", st.MaxOpenConnections)
	}
	ctx, cancel := context.WithTimeout(context.Background(), lookupTimeout)
	defer cancel()
	err = db.QueryRowContext(ctx, lookup.SQL, name, version).Scan(&kind, &spec)
	var de *duckdbgo.Error
	switch {
	case err == nil:
		return kind, spec, nil
	case errors.Is(err, sql.ErrNoRows):
		return "", "", fmt.Errorf("%w: %s", catalog.ErrModelNotFound, name)
	case errors.As(err, &de) && de.Type == duckdbgo.ErrorTypeCatalog:
		// The query names one catalog object: custseg_models is missing.
		return "", "", errNoRegistry
	}
	return "", "", err
}

// isDBClosed reports whether err is database/sql's answer on a closed
// *sql.DB. database/sql keeps that error unexported (errDBClosed), so its
// text is the only way to tell it.
func isDBClosed(err error) bool {
	return strings.Contains(err.Error(), "sql: database is closed")
}

var _ driver.Conn = (*duckdbgo.Conn)(nil)
