/* test_k8s_quantity.c -- the Kubernetes quantity library
 * (lib/k8s_quantity.c), run end to end through the public API in the
 * Kubernetes profile.  Expected values come from Kubernetes'
 * staging/src/k8s.io/apiserver/pkg/cel/library/quantity_test.go (TestQuantity,
 * case names in the comments), the examples in the doc comment of
 * quantity.go, and resource.Quantity's documented behaviour
 * (apimachinery/pkg/api/resource/quantity.go, amount.go). */
#include <criterion/criterion.h>
#include <string.h>

#include "eval_helpers.h"

static void expect(const char *expr, const char *json)
{
    eval_result r = eval_in(RP_PROFILE_KUBERNETES, expr, NULL);
    cr_assert_eq(r.rc, 0, "%s: rc %d (%s)", expr, r.rc, r.err.message);
    cr_assert_str_eq(r.json, json, "%s", expr);
}

static void expect_error(const char *expr, const char *msg)
{
    eval_result r = eval_in(RP_PROFILE_KUBERNETES, expr, NULL);
    cr_assert_neq(r.rc, 0, "%s: no error, got %s", expr, r.json);
    cr_assert_not_null(strstr(r.err.message, msg), "%s: %s", expr, r.err.message);
}

/* TestQuantity: parse, parseInvalidSuffix, parseInvalidSuffixPassesRegex */
Test(k8s_quantity, parse)
{
    expect("quantity('12Mi') == quantity('12582912')", "true");
    expect_error("quantity('10Mo')", "quantities must match the regular expression "
                                     "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
    expect_error("quantity('10Mm')", "unable to parse quantity's suffix");
}

/* TestQuantity: isQuantity* */
Test(k8s_quantity, is_quantity)
{
    expect("isQuantity('20')", "true");
    expect("isQuantity('20M')", "true");
    expect("isQuantity('20Mi')", "true");
    expect("isQuantity('20Mo')", "false");
    expect("isQuantity('10Mm')", "false");
}

/* TestQuantity: equality_reflexivity, equality_symmetry,
 * equality_transitivity, inequality */
Test(k8s_quantity, equality)
{
    expect("quantity('200M') == quantity('200M')", "true");
    expect("quantity('200M') == quantity('0.2G') && quantity('0.2G') == quantity('200M')", "true");
    expect("quantity('2M') == quantity('0.002G') && quantity('2000k') == quantity('2M') && "
           "quantity('0.002G') == quantity('2000k')",
           "true");
    expect("quantity('200M') == quantity('0.3G')", "false");
}

/* TestQuantity: quantity_less*, quantity_greater*, compare_*; the doc
 * comment of quantity.go */
Test(k8s_quantity, ordering)
{
    expect("quantity('50M').isLessThan(quantity('50Mi'))", "true");
    expect("quantity('50M').isLessThan(quantity('100M'))", "true");
    expect("quantity('100M').isLessThan(quantity('50M'))", "false");
    expect("quantity('50Mi').isGreaterThan(quantity('50M'))", "true");
    expect("quantity('150Mi').isGreaterThan(quantity('100Mi'))", "true");
    expect("quantity('50M').isGreaterThan(quantity('100M'))", "false");
    expect("quantity('200M').compareTo(quantity('0.2G'))", "0");
    expect("quantity('50M').compareTo(quantity('50Mi'))", "-1");
    expect("quantity('50Mi').compareTo(quantity('50M'))", "1");
}

/* TestQuantity: add_quantity, add_int, sub_quantity, sub_int, multiply,
 * arith_chain_1, arith_chain */
Test(k8s_quantity, arithmetic)
{
    expect("quantity('50k').add(quantity('20')) == quantity('50.02k')", "true");
    expect("quantity('50k').add(20).isLessThan(quantity('50020'))", "false");
    expect("quantity('50k').sub(quantity('20')) == quantity('49.98k')", "true");
    expect("quantity('50k').sub(20) == quantity('49980')", "true");
    expect("quantity('50k').mul(2) == quantity('100000')", "true");
    expect("quantity('50k').add(20).sub(quantity('100k')).asInteger()", "-49980");
    expect("quantity('50k').add(20).sub(quantity('100k')).sub(-50000).asInteger()", "20");
}

/* TestQuantity: as_integer, as_integer_error, is_integer, as_float */
Test(k8s_quantity, conversions)
{
    expect("quantity('50k').asInteger()", "50000");
    expect_error("quantity('9999999999999999999999999999999999999G').asInteger()",
                 "cannot convert value to integer");
    expect("quantity('9999999999999999999999999999999999999G').isInteger()", "false");
    expect("quantity('50').isInteger()", "true");
    expect("quantity('50.703k').asApproximateFloat()", "50703.0");
}

/* quantity.go doc comment: sign returns 1, -1 or 0 */
Test(k8s_quantity, sign)
{
    expect("quantity('50k').sign()", "1");
    expect("quantity('-50k').sign()", "-1");
    expect("quantity('0').sign()", "0");
}

/* resource.ParseQuantity: values below 1n round up to 1n ("if you want some
 * resources, you should get some resources"); binary-suffixed values are
 * capped at the largest int64; the suffix table of quantity.go's grammar. */
Test(k8s_quantity, parse_rules)
{
    expect("quantity('1e-10') == quantity('1n')", "true");
    expect("quantity('-1e-10') == quantity('-1n')", "true");
    expect("quantity('1Ki') == quantity('1024')", "true");
    expect("quantity('1Ei') == quantity('1152921504606846976')", "true");
    expect("quantity('1E') == quantity('1e18')", "true");
    expect("quantity('1m') == quantity('0.001')", "true");
    expect("quantity('1u') == quantity('1000n')", "true");
    expect("quantity('16Ei') == quantity('9223372036854775807')", "true");
    expect("quantity('1.5Gi').isGreaterThan(quantity('1.5G'))", "true");
    expect("quantity('1e1000').compareTo(quantity('1e999'))", "1");
    expect_error("quantity('')", "quantities must match the regular expression");
    expect_error("quantity('1.2.3')", "quantities must match the regular expression");
    expect("isQuantity('1e')", "false");
}

/* type(quantity(...)) is Kubernetes' kubernetes.Quantity object type */
Test(k8s_quantity, type_name)
{
    expect("type(quantity('1')) == type(quantity('2k'))", "true");
    expect("type(quantity('1')) == int", "false");
}
