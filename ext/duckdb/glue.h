/*
 * glue.h: the C side of the binding as Go sees it. It mentions no DuckDB
 * type (every handle is a void*), so the cgo preamble, which cgo copies into
 * _cgo_export.c, stays free of DuckDB headers in both builds.
 */
#ifndef CUSTSEG_DUCKDB_GLUE_H
#define CUSTSEG_DUCKDB_GLUE_H

#include <stdint.h>
#include <stdlib.h>

/* What the fallible helpers below return: DuckDB's duckdb_state values
 * (DuckDBSuccess, DuckDBError), named here because this header includes no
 * DuckDB header. */
#define CS_SUCCESS 0
#define CS_ERROR 1

/* DuckDB type ids used by the binding (values of enum DUCKDB_TYPE, a stable ABI). */
enum {
	CS_TYPE_INVALID = 0,
	CS_TYPE_BOOLEAN = 1,
	CS_TYPE_TINYINT = 2,
	CS_TYPE_SMALLINT = 3,
	CS_TYPE_INTEGER = 4,
	CS_TYPE_BIGINT = 5,
	CS_TYPE_UTINYINT = 6,
	CS_TYPE_USMALLINT = 7,
	CS_TYPE_UINTEGER = 8,
	CS_TYPE_UBIGINT = 9,
	CS_TYPE_FLOAT = 10,
	CS_TYPE_DOUBLE = 11,
	CS_TYPE_HUGEINT = 16,
	CS_TYPE_VARCHAR = 17,
	CS_TYPE_DECIMAL = 19,
	CS_TYPE_ANY = 34,
	CS_TYPE_SQLNULL = 36
};

/* One input column of a data chunk, read with a single cgo call per chunk. */
typedef struct {
	void *data;         /* duckdb_vector_get_data */
	uint64_t *validity; /* NULL: every row valid */
	int32_t type;       /* DuckDB type id */
	int32_t scale;      /* DECIMAL only */
	int32_t internal;   /* DECIMAL only: type id of the stored integer */
	int32_t pad;
} cs_column;

uint64_t cs_chunk_columns(void *chunk);
/* Fills cols[0..ncols) and returns the number of rows. */
uint64_t cs_chunk_read(void *chunk, cs_column *cols, uint64_t ncols);
void *cs_vector_data(void *vec);
uint64_t *cs_vector_validity_writable(void *vec);
void cs_vector_assign_string(void *vec, uint64_t row, const char *s, uint64_t len);

uintptr_t cs_scalar_extra(void *info);
/* The statement's resolved model (a cgo.Handle made by custsegBindModel), or
 * 0: not bound (the model argument is not a constant, its resolution failed,
 * or the loadable extension, whose C API has no scalar bind). */
uintptr_t cs_scalar_bound(void *info);
void cs_scalar_error(void *info, const char *msg);
uintptr_t cs_aggregate_extra(void *info);
void cs_aggregate_error(void *info, const char *msg);

/* Registration: one function set per catalog function, one overload per arity. */
void *cs_scalar_set_new(const char *name);
/* Each returns CS_SUCCESS or CS_ERROR. */
int cs_scalar_set_add(void *set, const char *name, int32_t nparams, const int32_t *types, int32_t vararg_type,
                      int32_t result_type, int32_t special_nulls, int32_t is_volatile, int32_t bind_model,
                      uintptr_t extra);
/* Registers the set (the caller destroys it after). */
int cs_scalar_set_register(void *conn, void *set);
void cs_scalar_set_destroy(void *set);
void *cs_aggregate_set_new(const char *name);
int cs_aggregate_set_add(void *set, const char *name, int32_t nparams, const int32_t *types, int32_t result_type,
                         int32_t special_nulls, uintptr_t extra);
int cs_aggregate_set_register(void *conn, void *set);
void cs_aggregate_set_destroy(void *set);

#ifdef CUSTSEG_DUCKDB_EXTENSION
/* Model store of the loadable extension: a dedicated connection. */
void *cs_store_connect(void *database);
/* cs_store_lookup runs sql (ext/internal/lookup.SQL, handed over by Go) on
 * conn, preparing it on first use into *prepared. It returns CS_FOUND with
 * malloc'd kind and spec, CS_NOT_FOUND when no row matches, CS_NO_TABLE
 * when custseg_models does not exist, or CS_LOOKUP_ERROR with a malloc'd
 * *err. */
int cs_store_lookup(void *conn, void **prepared, const char *sql, const char *name, int64_t version, char **kind,
                    char **spec, char **err);
#define CS_FOUND 0
#define CS_NOT_FOUND 1
#define CS_NO_TABLE 2
#define CS_LOOKUP_ERROR 3
#endif

#endif
