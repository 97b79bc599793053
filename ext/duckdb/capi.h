/*
 * capi.h: the few DuckDB C API declarations the in-process build of glue.c
 * needs, written by this project (not copied from duckdb.h). The functions
 * resolve at link time to the DuckDB static library that duckdb-go links in.
 * Handles are opaque pointers; enum parameters are passed as int, which is
 * their C ABI. Signatures follow the stable DuckDB C API (v1.2.0 and later).
 *
 * The loadable extension build does not use this file: it defines
 * CUSTSEG_DUCKDB_EXTENSION and includes DuckDB's own duckdb_extension.h, in
 * which every duckdb_* name below is a macro calling through the
 * duckdb_ext_api function-pointer struct.
 */
#ifndef CUSTSEG_DUCKDB_CAPI_H
#define CUSTSEG_DUCKDB_CAPI_H

#include <stdint.h>
#include <stdbool.h>

typedef uint64_t idx_t;
typedef int duckdb_state; /* DuckDBSuccess = 0, DuckDBError = 1 */
typedef int duckdb_type;  /* enum DUCKDB_TYPE */
#define DuckDBSuccess 0
#define DuckDBError 1

typedef struct _cs_opaque_connection *duckdb_connection;
typedef struct _cs_opaque_logical_type *duckdb_logical_type;
typedef struct _cs_opaque_data_chunk *duckdb_data_chunk;
typedef struct _cs_opaque_vector *duckdb_vector;
typedef struct _cs_opaque_function_info *duckdb_function_info;
typedef struct _cs_opaque_scalar_function *duckdb_scalar_function;
typedef struct _cs_opaque_scalar_function_set *duckdb_scalar_function_set;
typedef struct _cs_opaque_aggregate_function *duckdb_aggregate_function;
typedef struct _cs_opaque_aggregate_function_set *duckdb_aggregate_function_set;
typedef struct _cs_opaque_aggregate_state *duckdb_aggregate_state;

typedef void (*duckdb_delete_callback_t)(void *data);
typedef struct _cs_opaque_bind_info *duckdb_bind_info;
typedef struct _cs_opaque_expression *duckdb_expression;
typedef struct _cs_opaque_client_context *duckdb_client_context;
typedef struct _cs_opaque_value *duckdb_value;
typedef struct _cs_opaque_error_data *duckdb_error_data;
typedef void (*duckdb_scalar_function_bind_t)(duckdb_bind_info info);
typedef void *(*duckdb_copy_callback_t)(void *data);
typedef void (*duckdb_scalar_function_t)(duckdb_function_info info, duckdb_data_chunk input, duckdb_vector output);
typedef idx_t (*duckdb_aggregate_state_size)(duckdb_function_info info);
typedef void (*duckdb_aggregate_init_t)(duckdb_function_info info, duckdb_aggregate_state state);
typedef void (*duckdb_aggregate_destroy_t)(duckdb_aggregate_state *states, idx_t count);
typedef void (*duckdb_aggregate_update_t)(duckdb_function_info info, duckdb_data_chunk input,
                                          duckdb_aggregate_state *states);
typedef void (*duckdb_aggregate_combine_t)(duckdb_function_info info, duckdb_aggregate_state *source,
                                           duckdb_aggregate_state *target, idx_t count);
typedef void (*duckdb_aggregate_finalize_t)(duckdb_function_info info, duckdb_aggregate_state *source,
                                            duckdb_vector result, idx_t count, idx_t offset);

/* logical types */
duckdb_logical_type duckdb_create_logical_type(duckdb_type type);
void duckdb_destroy_logical_type(duckdb_logical_type *type);
duckdb_type duckdb_get_type_id(duckdb_logical_type type);
uint8_t duckdb_decimal_scale(duckdb_logical_type type);
duckdb_type duckdb_decimal_internal_type(duckdb_logical_type type);

/* data chunks and vectors */
idx_t duckdb_data_chunk_get_column_count(duckdb_data_chunk chunk);
duckdb_vector duckdb_data_chunk_get_vector(duckdb_data_chunk chunk, idx_t col_idx);
idx_t duckdb_data_chunk_get_size(duckdb_data_chunk chunk);
duckdb_logical_type duckdb_vector_get_column_type(duckdb_vector vector);
void *duckdb_vector_get_data(duckdb_vector vector);
uint64_t *duckdb_vector_get_validity(duckdb_vector vector);
void duckdb_vector_ensure_validity_writable(duckdb_vector vector);
void duckdb_vector_assign_string_element_len(duckdb_vector vector, idx_t index, const char *str, idx_t str_len);

/* scalar functions */
duckdb_scalar_function duckdb_create_scalar_function(void);
void duckdb_destroy_scalar_function(duckdb_scalar_function *scalar_function);
void duckdb_scalar_function_set_name(duckdb_scalar_function scalar_function, const char *name);
void duckdb_scalar_function_set_varargs(duckdb_scalar_function scalar_function, duckdb_logical_type type);
void duckdb_scalar_function_set_special_handling(duckdb_scalar_function scalar_function);
void duckdb_scalar_function_set_volatile(duckdb_scalar_function scalar_function);
void duckdb_scalar_function_add_parameter(duckdb_scalar_function scalar_function, duckdb_logical_type type);
void duckdb_scalar_function_set_return_type(duckdb_scalar_function scalar_function, duckdb_logical_type type);
void duckdb_scalar_function_set_extra_info(duckdb_scalar_function scalar_function, void *extra_info,
                                           duckdb_delete_callback_t destroy);
void duckdb_scalar_function_set_function(duckdb_scalar_function scalar_function, duckdb_scalar_function_t function);
void *duckdb_scalar_function_get_extra_info(duckdb_function_info info);
void duckdb_scalar_function_set_error(duckdb_function_info info, const char *error);
/* Scalar bind (DuckDB C API v1.5.6; in process only: the loadable extension's
 * v1.2.0 struct has none of these). */
void duckdb_scalar_function_set_bind(duckdb_scalar_function scalar_function, duckdb_scalar_function_bind_t bind);
void *duckdb_scalar_function_bind_get_extra_info(duckdb_bind_info info);
idx_t duckdb_scalar_function_bind_get_argument_count(duckdb_bind_info info);
duckdb_expression duckdb_scalar_function_bind_get_argument(duckdb_bind_info info, idx_t index);
void duckdb_scalar_function_get_client_context(duckdb_bind_info info, duckdb_client_context *out_context);
void duckdb_scalar_function_set_bind_data(duckdb_bind_info info, void *bind_data, duckdb_delete_callback_t destroy);
void duckdb_scalar_function_set_bind_data_copy(duckdb_bind_info info, duckdb_copy_callback_t copy);
void *duckdb_scalar_function_get_bind_data(duckdb_function_info info);
bool duckdb_expression_is_foldable(duckdb_expression expr);
duckdb_error_data duckdb_expression_fold(duckdb_client_context context, duckdb_expression expr, duckdb_value *out_value);
void duckdb_destroy_expression(duckdb_expression *expr);
void duckdb_destroy_client_context(duckdb_client_context *context);
bool duckdb_error_data_has_error(duckdb_error_data error_data);
void duckdb_destroy_error_data(duckdb_error_data *error_data);
bool duckdb_is_null_value(duckdb_value value);
char *duckdb_get_varchar(duckdb_value value);
void duckdb_destroy_value(duckdb_value *value);
void duckdb_free(void *ptr);
duckdb_scalar_function_set duckdb_create_scalar_function_set(const char *name);
void duckdb_destroy_scalar_function_set(duckdb_scalar_function_set *scalar_function_set);
duckdb_state duckdb_add_scalar_function_to_set(duckdb_scalar_function_set set, duckdb_scalar_function function);
duckdb_state duckdb_register_scalar_function_set(duckdb_connection con, duckdb_scalar_function_set set);

/* aggregate functions */
duckdb_aggregate_function duckdb_create_aggregate_function(void);
void duckdb_destroy_aggregate_function(duckdb_aggregate_function *aggregate_function);
void duckdb_aggregate_function_set_name(duckdb_aggregate_function aggregate_function, const char *name);
void duckdb_aggregate_function_add_parameter(duckdb_aggregate_function aggregate_function, duckdb_logical_type type);
void duckdb_aggregate_function_set_return_type(duckdb_aggregate_function aggregate_function,
                                               duckdb_logical_type type);
void duckdb_aggregate_function_set_functions(duckdb_aggregate_function aggregate_function,
                                             duckdb_aggregate_state_size state_size,
                                             duckdb_aggregate_init_t state_init,
                                             duckdb_aggregate_update_t update,
                                             duckdb_aggregate_combine_t combine,
                                             duckdb_aggregate_finalize_t finalize);
void duckdb_aggregate_function_set_destructor(duckdb_aggregate_function aggregate_function,
                                              duckdb_aggregate_destroy_t destroy);
void duckdb_aggregate_function_set_special_handling(duckdb_aggregate_function aggregate_function);
void duckdb_aggregate_function_set_extra_info(duckdb_aggregate_function aggregate_function, void *extra_info,
                                              duckdb_delete_callback_t destroy);
void *duckdb_aggregate_function_get_extra_info(duckdb_function_info info);
void duckdb_aggregate_function_set_error(duckdb_function_info info, const char *error);
duckdb_aggregate_function_set duckdb_create_aggregate_function_set(const char *name);
void duckdb_destroy_aggregate_function_set(duckdb_aggregate_function_set *aggregate_function_set);
duckdb_state duckdb_add_aggregate_function_to_set(duckdb_aggregate_function_set set,
                                                  duckdb_aggregate_function function);
duckdb_state duckdb_register_aggregate_function_set(duckdb_connection con, duckdb_aggregate_function_set set);

#endif
