//go:build custseg_duckdb_ext

package duckdb

/*
#cgo CFLAGS: -DCUSTSEG_DUCKDB_EXTENSION
#include "glue.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"sync"
	"unsafe"

	"github.com/custseg/custseg/ext/internal/lookup"
	"github.com/custseg/custseg/udf/catalog"
)

// This file is compiled only into the loadable extension (build tag
// custseg_duckdb_ext, see internal/buildext.BuildDuckDB): glue.c then calls DuckDB through
// the duckdb_ext_api struct and its entry point custseg_init_c_api calls
// custsegExtInit.

//export custsegExtInit
func custsegExtInit(conn, database unsafe.Pointer) (cerr *C.char) {
	defer func() {
		if r := recover(); r != nil {
			cerr = C.CString(fmt.Sprintf("%sinternal error while loading: %v", errPrefix, r))
		}
	}()
	if database == nil {
		return C.CString(errNoDatabase.Error())
	}
	store, err := newCAPIStore(database)
	if err != nil {
		return C.CString(err.Error())
	}
	if err := registerFunctions(conn, catalog.All(), store); err != nil {
		return C.CString(err.Error())
	}
	return nil
}

// capiStore reads custseg_models through a connection of its own, made with
// duckdb_connect on the database the extension was loaded into (the entry
// point's connection is closed after loading). One mutex serializes lookups
// on it; the catalog caches resolutions, so lookups are rare. The connection
// lives as long as the process: it keeps the database instance alive after
// the host closes it.
type capiStore struct {
	mu       sync.Mutex
	conn     unsafe.Pointer
	prepared unsafe.Pointer // duckdb_prepared_statement, made on first use
}

func newCAPIStore(database unsafe.Pointer) (*capiStore, error) {
	conn := C.cs_store_connect(database)
	if conn == nil {
		return nil, errStoreConnect
	}
	return &capiStore{conn: conn}, nil
}

func (s *capiStore) LookupModel(name string, version int64) (kind, spec string, err error) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var ckind, cspec, cerr *C.char
	s.mu.Lock()
	rc := C.cs_store_lookup(s.conn, &s.prepared, lookupSQL, cname, C.int64_t(version), &ckind, &cspec, &cerr)
	s.mu.Unlock()
	defer func() {
		C.free(unsafe.Pointer(ckind))
		C.free(unsafe.Pointer(cspec))
		C.free(unsafe.Pointer(cerr))
	}()
	switch rc {
	case C.CS_FOUND:
		return C.GoString(ckind), C.GoString(cspec), nil
	case C.CS_NOT_FOUND:
		return "", "", fmt.Errorf("%w: %s", catalog.ErrModelNotFound, name)
	case C.CS_NO_TABLE:
		return "", "", errNoRegistry
	}
	return "", "", errors.New(C.GoString(cerr))
}

// lookupSQL is lookup.SQL for C, allocated once and never freed: the store
// lives as long as the process.
var lookupSQL = C.CString(lookup.SQL)
