/*
 * glue.c: registration and data-chunk access for custseg's DuckDB functions.
 *
 * One source, two builds:
 *   - in-process (default): duckdb_* are direct calls, declared in capi.h and
 *     resolved against the DuckDB library duckdb-go links into the binary;
 *   - loadable extension (-DCUSTSEG_DUCKDB_EXTENSION, headers from the pinned
 *     npm package duckdb@1.4.4): duckdb_extension.h turns every duckdb_* call
 *     into a call through the duckdb_ext_api struct (C API v1.2.0), and this
 *     file also holds the entry point custseg_init_c_api.
 *
 * The per-row work happens in Go (vector.go); C only hands over pointers.
 */
#ifdef CUSTSEG_DUCKDB_EXTENSION
#define DUCKDB_EXTENSION_NAME custseg
#define DUCKDB_EXTENSION_API_VERSION_MAJOR 1
#define DUCKDB_EXTENSION_API_VERSION_MINOR 2
#define DUCKDB_EXTENSION_API_VERSION_PATCH 0
#include "duckdb_extension.h"
#include <string.h>
DUCKDB_EXTENSION_EXTERN /* the struct itself is defined by DUCKDB_EXTENSION_ENTRYPOINT below */
#else
#include "capi.h"
#include <string.h>
#endif

#include "glue.h"

/* Go callbacks (callbacks.go). Declared with void* so no DuckDB type reaches Go. */
extern void custsegScalar(void *info, void *chunk, void *out);
extern void custsegAggUpdate(void *info, void *chunk, void *states);
extern void custsegAggCombine(void *info, void *source, void *target, uint64_t count);
extern void custsegAggFinalize(void *info, void *source, void *result, uint64_t count, uint64_t offset);
extern void custsegAggDestroy(void *states, uint64_t count);

uint64_t cs_chunk_columns(void *chunk) { return duckdb_data_chunk_get_column_count((duckdb_data_chunk)chunk); }

uint64_t cs_chunk_read(void *chunk, cs_column *cols, uint64_t ncols) {
	duckdb_data_chunk c = (duckdb_data_chunk)chunk;
	for (uint64_t i = 0; i < ncols; i++) {
		duckdb_vector v = duckdb_data_chunk_get_vector(c, i);
		duckdb_logical_type t = duckdb_vector_get_column_type(v);
		cols[i].data = duckdb_vector_get_data(v);
		cols[i].validity = duckdb_vector_get_validity(v);
		cols[i].type = (int32_t)duckdb_get_type_id(t);
		cols[i].scale = 0;
		cols[i].internal = 0;
		if (cols[i].type == CS_TYPE_DECIMAL) {
			cols[i].scale = (int32_t)duckdb_decimal_scale(t);
			cols[i].internal = (int32_t)duckdb_decimal_internal_type(t);
		}
		duckdb_destroy_logical_type(&t);
	}
	return duckdb_data_chunk_get_size(c);
}

void *cs_vector_data(void *vec) { return duckdb_vector_get_data((duckdb_vector)vec); }

uint64_t *cs_vector_validity_writable(void *vec) {
	duckdb_vector_ensure_validity_writable((duckdb_vector)vec);
	return duckdb_vector_get_validity((duckdb_vector)vec);
}

void cs_vector_assign_string(void *vec, uint64_t row, const char *s, uint64_t len) {
	duckdb_vector_assign_string_element_len((duckdb_vector)vec, row, len ? s : "", len);
}

uintptr_t cs_scalar_extra(void *info) {
	return (uintptr_t)duckdb_scalar_function_get_extra_info((duckdb_function_info)info);
}
void cs_scalar_error(void *info, const char *msg) { duckdb_scalar_function_set_error((duckdb_function_info)info, msg); }
uintptr_t cs_aggregate_extra(void *info) {
	return (uintptr_t)duckdb_aggregate_function_get_extra_info((duckdb_function_info)info);
}
void cs_aggregate_error(void *info, const char *msg) {
	duckdb_aggregate_function_set_error((duckdb_function_info)info, msg);
}

/* --- registration --- */

static void scalar_trampoline(duckdb_function_info info, duckdb_data_chunk input, duckdb_vector output) {
	custsegScalar((void *)info, (void *)input, (void *)output);
}

#ifndef CUSTSEG_DUCKDB_EXTENSION
/* Scalar bind, in process only (DuckDB C API v1.5.6; the loadable
 * extension targets v1.2.0, which has no scalar bind). DuckDB binds each
 * function call of a statement once, before execution: when the model
 * argument folds to a constant, Go resolves the model there and the bind
 * data (a cgo.Handle, copied with the expression) carries it to every chunk
 * on every thread, so the whole statement uses one version. */
extern uintptr_t custsegBindModel(uintptr_t extra, char *ref, uint64_t len);
extern uintptr_t custsegBindCopy(uintptr_t bound);
extern void custsegBindDelete(uintptr_t bound);

static void bind_delete(void *p) { custsegBindDelete((uintptr_t)p); }
static void *bind_copy(void *p) { return (void *)custsegBindCopy((uintptr_t)p); }

static void scalar_bind(duckdb_bind_info info) {
	if (duckdb_scalar_function_bind_get_argument_count(info) == 0) {
		return;
	}
	duckdb_expression arg = duckdb_scalar_function_bind_get_argument(info, 0);
	if (arg == NULL) {
		return;
	}
	if (duckdb_expression_is_foldable(arg)) {
		duckdb_client_context ctx = NULL;
		duckdb_value v = NULL;
		duckdb_scalar_function_get_client_context(info, &ctx);
		duckdb_error_data e = duckdb_expression_fold(ctx, arg, &v);
		if (!duckdb_error_data_has_error(e) && v != NULL && !duckdb_is_null_value(v)) {
			char *s = duckdb_get_varchar(v);
			if (s != NULL) {
				uintptr_t bound = custsegBindModel((uintptr_t)duckdb_scalar_function_bind_get_extra_info(info), s,
				                                   strlen(s));
				if (bound != 0) {
					duckdb_scalar_function_set_bind_data(info, (void *)bound, bind_delete);
					duckdb_scalar_function_set_bind_data_copy(info, bind_copy);
				}
				duckdb_free(s);
			}
		}
		if (e != NULL) {
			duckdb_destroy_error_data(&e);
		}
		if (v != NULL) {
			duckdb_destroy_value(&v);
		}
		if (ctx != NULL) {
			duckdb_destroy_client_context(&ctx);
		}
	}
	duckdb_destroy_expression(&arg);
}

uintptr_t cs_scalar_bound(void *info) { return (uintptr_t)duckdb_scalar_function_get_bind_data((duckdb_function_info)info); }
#else
uintptr_t cs_scalar_bound(void *info) {
	(void)info;
	return 0;
}
#endif

void *cs_scalar_set_new(const char *name) { return (void *)duckdb_create_scalar_function_set(name); }

int cs_scalar_set_add(void *set, const char *name, int32_t nparams, const int32_t *types, int32_t vararg_type,
                      int32_t result_type, int32_t special_nulls, int32_t is_volatile, int32_t bind_model,
                      uintptr_t extra) {
	duckdb_scalar_function f = duckdb_create_scalar_function();
	duckdb_scalar_function_set_name(f, name);
	for (int32_t i = 0; i < nparams; i++) {
		duckdb_logical_type t = duckdb_create_logical_type((duckdb_type)types[i]);
		duckdb_scalar_function_add_parameter(f, t);
		duckdb_destroy_logical_type(&t);
	}
	if (vararg_type >= 0) {
		duckdb_logical_type t = duckdb_create_logical_type((duckdb_type)vararg_type);
		duckdb_scalar_function_set_varargs(f, t);
		duckdb_destroy_logical_type(&t);
	}
	duckdb_logical_type r = duckdb_create_logical_type((duckdb_type)result_type);
	duckdb_scalar_function_set_return_type(f, r);
	duckdb_destroy_logical_type(&r);
	if (special_nulls) {
		duckdb_scalar_function_set_special_handling(f);
	}
	if (is_volatile) {
		duckdb_scalar_function_set_volatile(f);
	}
	duckdb_scalar_function_set_extra_info(f, (void *)extra, NULL);
	duckdb_scalar_function_set_function(f, scalar_trampoline);
#ifndef CUSTSEG_DUCKDB_EXTENSION
	if (bind_model) {
		duckdb_scalar_function_set_bind(f, scalar_bind);
	}
#else
	(void)bind_model;
#endif
	duckdb_state st = duckdb_add_scalar_function_to_set((duckdb_scalar_function_set)set, f);
	duckdb_destroy_scalar_function(&f);
	return st == DuckDBSuccess ? CS_SUCCESS : CS_ERROR;
}

int cs_scalar_set_register(void *conn, void *set) {
	duckdb_state st = duckdb_register_scalar_function_set((duckdb_connection)conn, (duckdb_scalar_function_set)set);
	return st == DuckDBSuccess ? CS_SUCCESS : CS_ERROR;
}

void cs_scalar_set_destroy(void *set) {
	duckdb_scalar_function_set s = (duckdb_scalar_function_set)set;
	duckdb_destroy_scalar_function_set(&s);
}

/* The aggregate state is 8 bytes: a runtime/cgo.Handle to the Go state, 0
 * until the first row reaches it. */
static idx_t agg_state_size(duckdb_function_info info) {
	(void)info;
	return sizeof(uintptr_t);
}
static void agg_init(duckdb_function_info info, duckdb_aggregate_state state) {
	(void)info;
	*(uintptr_t *)state = 0;
}
static void agg_update(duckdb_function_info info, duckdb_data_chunk input, duckdb_aggregate_state *states) {
	custsegAggUpdate((void *)info, (void *)input, (void *)states);
}
static void agg_combine(duckdb_function_info info, duckdb_aggregate_state *source, duckdb_aggregate_state *target,
                        idx_t count) {
	custsegAggCombine((void *)info, (void *)source, (void *)target, count);
}
static void agg_finalize(duckdb_function_info info, duckdb_aggregate_state *source, duckdb_vector result,
                         idx_t count, idx_t offset) {
	custsegAggFinalize((void *)info, (void *)source, (void *)result, count, offset);
}
static void agg_destroy(duckdb_aggregate_state *states, idx_t count) {
	/* Only call into Go when some state holds a handle. */
	for (idx_t i = 0; i < count; i++) {
		if (*(uintptr_t *)states[i] != 0) {
			custsegAggDestroy((void *)states, count);
			return;
		}
	}
}

void *cs_aggregate_set_new(const char *name) { return (void *)duckdb_create_aggregate_function_set(name); }

int cs_aggregate_set_add(void *set, const char *name, int32_t nparams, const int32_t *types, int32_t result_type,
                         int32_t special_nulls, uintptr_t extra) {
	duckdb_aggregate_function f = duckdb_create_aggregate_function();
	duckdb_aggregate_function_set_name(f, name);
	for (int32_t i = 0; i < nparams; i++) {
		duckdb_logical_type t = duckdb_create_logical_type((duckdb_type)types[i]);
		duckdb_aggregate_function_add_parameter(f, t);
		duckdb_destroy_logical_type(&t);
	}
	duckdb_logical_type r = duckdb_create_logical_type((duckdb_type)result_type);
	duckdb_aggregate_function_set_return_type(f, r);
	duckdb_destroy_logical_type(&r);
	duckdb_aggregate_function_set_functions(f, agg_state_size, agg_init, agg_update, agg_combine, agg_finalize);
	duckdb_aggregate_function_set_destructor(f, agg_destroy);
	if (special_nulls) {
		duckdb_aggregate_function_set_special_handling(f);
	}
	duckdb_aggregate_function_set_extra_info(f, (void *)extra, NULL);
	duckdb_state st = duckdb_add_aggregate_function_to_set((duckdb_aggregate_function_set)set, f);
	duckdb_destroy_aggregate_function(&f);
	return st == DuckDBSuccess ? CS_SUCCESS : CS_ERROR;
}

int cs_aggregate_set_register(void *conn, void *set) {
	duckdb_state st =
	    duckdb_register_aggregate_function_set((duckdb_connection)conn, (duckdb_aggregate_function_set)set);
	return st == DuckDBSuccess ? CS_SUCCESS : CS_ERROR;
}

void cs_aggregate_set_destroy(void *set) {
	duckdb_aggregate_function_set s = (duckdb_aggregate_function_set)set;
	duckdb_destroy_aggregate_function_set(&s);
}

#ifdef CUSTSEG_DUCKDB_EXTENSION
/* --- loadable extension only: model store and entry point --- */

void *cs_store_connect(void *database) {
	duckdb_connection conn = NULL;
	if (duckdb_connect((duckdb_database)database, &conn) != DuckDBSuccess) {
		return NULL;
	}
	return (void *)conn;
}

static char *cs_strndup(const char *s, size_t n) {
	char *out = (char *)malloc(n + 1);
	if (out) {
		memcpy(out, s, n);
		out[n] = 0;
	}
	return out;
}

static char *string_at(duckdb_vector v, idx_t row) {
	duckdb_string_t *s = (duckdb_string_t *)duckdb_vector_get_data(v) + row;
	uint32_t len = s->value.inlined.length;
	const char *p = len <= 12 ? s->value.inlined.inlined : s->value.pointer.ptr;
	return cs_strndup(p, len);
}

int cs_store_lookup(void *conn, void **prepared, const char *sql, const char *name, int64_t version, char **kind,
                    char **spec, char **err) {
	duckdb_prepared_statement stmt = (duckdb_prepared_statement)*prepared;
	if (stmt == NULL) {
		if (duckdb_prepare((duckdb_connection)conn, sql, &stmt) != DuckDBSuccess) {
			const char *e = duckdb_prepare_error(stmt);
			int rc = CS_LOOKUP_ERROR;
			if (e == NULL) {
				e = "prepare failed";
			}
			/* A failed prepare has a message but no duckdb_error_type in the C
			 * API (duckdb_result_error_type needs a result), so the type is
			 * read from the message's "<type> Error: " prefix, as duckdb-go
			 * does for its prepare errors. The query names one catalog
			 * object, so a Catalog Error means custseg_models is missing. */
			if (strncmp(e, "Catalog Error: ", 15) == 0) {
				rc = CS_NO_TABLE;
			}
			*err = cs_strndup(e, strlen(e));
			duckdb_destroy_prepare(&stmt);
			return rc;
		}
		*prepared = (void *)stmt;
	}
	duckdb_bind_varchar(stmt, 1, name);
	duckdb_bind_int64(stmt, 2, version);
	duckdb_result res;
	if (duckdb_execute_prepared(stmt, &res) != DuckDBSuccess) {
		const char *e = duckdb_result_error(&res);
		*err = cs_strndup(e ? e : "query failed", strlen(e ? e : "query failed"));
		duckdb_destroy_result(&res);
		return CS_LOOKUP_ERROR;
	}
	int rc = CS_NOT_FOUND;
	duckdb_data_chunk chunk = duckdb_fetch_chunk(res);
	if (chunk != NULL) {
		if (duckdb_data_chunk_get_size(chunk) > 0) {
			*kind = string_at(duckdb_data_chunk_get_vector(chunk, 0), 0);
			*spec = string_at(duckdb_data_chunk_get_vector(chunk, 1), 0);
			rc = CS_FOUND;
		}
		duckdb_destroy_data_chunk(&chunk);
	}
	duckdb_destroy_result(&res);
	return rc;
}

/* Go (ext.go): registers every catalog function; returns a malloc'd error or NULL. */
extern char *custsegExtInit(void *conn, void *database);

DUCKDB_EXTENSION_ENTRYPOINT(duckdb_connection connection, duckdb_extension_info info,
                            struct duckdb_extension_access *access) {
	duckdb_database *db = access->get_database(info);
	char *err = custsegExtInit((void *)connection, db ? (void *)*db : NULL);
	if (err != NULL) {
		access->set_error(info, err);
		free(err);
		return false;
	}
	return true;
}
#endif
