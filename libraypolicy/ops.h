/* ops.h -- the standard operators, as the VM calls them.
 *
 * The VM has inline fast paths for the common cases (int + int, string ==
 * string, a field of a JSON object) and calls these for everything else.
 * They implement cel-spec's standard definitions exactly: overflow and
 * division by zero are errors, numeric comparison and equality are
 * heterogeneous (1 == 1u == 1.0), lists and maps concatenate and compare
 * deeply.  The VM never passes an error value to them: a strict operator
 * whose argument is an error returns that error before calling.
 * Implemented in lib/std_operators.c (time arithmetic in lib/std_time.c).
 */
#ifndef RPI_OPS_H
#define RPI_OPS_H

#include "value.h"

val rpi_op_add(rpi_ctx *cx, val a, val b);   /* _+_: numbers, strings, bytes, lists, time */
val rpi_op_sub(rpi_ctx *cx, val a, val b);   /* _-_: numbers, time */
val rpi_op_mul(rpi_ctx *cx, val a, val b);   /* _*_ */
val rpi_op_div(rpi_ctx *cx, val a, val b);   /* _/_: "division by zero" for ints */
val rpi_op_mod(rpi_ctx *cx, val a, val b);   /* _%_: "modulus by zero" */
val rpi_op_neg(rpi_ctx *cx, val a);          /* -_ : int (overflow), double */
val rpi_op_not(rpi_ctx *cx, val a);          /* !_ : bool only */
val rpi_op_eq(rpi_ctx *cx, val a, val b);    /* _==_: always a bool */
val rpi_op_ne(rpi_ctx *cx, val a, val b);    /* _!=_ */
val rpi_op_lt(rpi_ctx *cx, val a, val b);    /* _<_: no overload for unordered kinds */
val rpi_op_le(rpi_ctx *cx, val a, val b);
val rpi_op_gt(rpi_ctx *cx, val a, val b);
val rpi_op_ge(rpi_ctx *cx, val a, val b);
val rpi_op_in(rpi_ctx *cx, val elem, val container);   /* @in: list membership, map key */
val rpi_op_index(rpi_ctx *cx, val container, val key); /* _[_]: list[int|uint|integral double], map[key] */

/* Time arithmetic (lib/std_time.c), called by rpi_op_add / rpi_op_sub when an
 * operand is a timestamp or a duration: timestamp+duration, duration+timestamp,
 * duration+duration, timestamp-timestamp, timestamp-duration,
 * duration-duration; range errors as cel-go words them. */
val rpi_time_add(rpi_ctx *cx, val a, val b);
val rpi_time_sub(rpi_ctx *cx, val a, val b);

#endif /* RPI_OPS_H */
