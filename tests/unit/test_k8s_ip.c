/* test_k8s_ip.c -- the Kubernetes IP and CIDR libraries (lib/k8s_ip.c), run
 * end to end through the public API in the Kubernetes profile.  Expected
 * values come from Kubernetes' staging/src/k8s.io/apiserver/pkg/cel/library/
 * cidr_test.go (TestCIDR, case names in the comments) and the examples in
 * the doc comments of ip.go and cidr.go; error texts are those of ip.go's
 * parseIPAddr around Go's net/netip messages. */
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

/* ip.go doc comment: ip, isIP */
Test(k8s_ip, parse)
{
    expect("ip('127.0.0.1').family()", "4");
    expect("ip('::1').family()", "6");
    expect_error("ip('127.0.0.256')", "IP Address \"127.0.0.256\" parse error during conversion "
                                      "from string: ParseAddr(\"127.0.0.256\"): IPv4 field has value >255");
    expect_error("ip(':::1')", "IP Address \":::1\" parse error during conversion from string");
    expect("isIP('127.0.0.1')", "true");
    expect("isIP('::1')", "true");
    expect("isIP('127.0.0.256')", "false");
    expect("isIP(':::1')", "false");
}

/* ip.go doc comment: IPv4-mapped IPv6 addresses, zones and leading zeros
 * are not allowed */
Test(k8s_ip, kubernetes_restrictions)
{
    expect_error("ip('::ffff:1.2.3.4')", "IPv4-mapped IPv6 address \"::ffff:1.2.3.4\" is not allowed");
    expect_error("ip('fe80::1%eth0')", "IP address \"fe80::1%eth0\" with zone value is not allowed");
    expect("isIP('::ffff:1.2.3.4')", "false");
    expect("isIP('fe80::1%eth0')", "false");
    expect("isIP('01.2.3.4')", "false");
}

/* ip.go doc comment: ip.isCanonical */
Test(k8s_ip, is_canonical)
{
    expect("ip.isCanonical('127.0.0.1')", "true");
    expect("ip.isCanonical('2001:db8::abcd')", "true");
    expect("ip.isCanonical('2001:DB8::ABCD')", "false");
    expect("ip.isCanonical('2001:db8::0:0:0:abcd')", "false");
}

/* ip.go doc comment: family, isUnspecified, isLoopback,
 * isLinkLocalMulticast, isLinkLocalUnicast, isGlobalUnicast */
Test(k8s_ip, classes)
{
    expect("ip('127.0.0.1').family() == 4", "true");
    expect("ip('::1').family() == 6", "true");
    expect("ip('0.0.0.0').isUnspecified()", "true");
    expect("ip('127.0.0.1').isUnspecified()", "false");
    expect("ip('::').isUnspecified()", "true");
    expect("ip('::1').isUnspecified()", "false");
    expect("ip('127.0.0.1').isLoopback()", "true");
    expect("ip('192.168.0.1').isLoopback()", "false");
    expect("ip('::1').isLoopback()", "true");
    expect("ip('2001:db8::abcd').isLoopback()", "false");
    expect("ip('224.0.0.1').isLinkLocalMulticast()", "true");
    expect("ip('224.0.1.1').isLinkLocalMulticast()", "false");
    expect("ip('ff02::1').isLinkLocalMulticast()", "true");
    expect("ip('fd00::1').isLinkLocalMulticast()", "false");
    expect("ip('169.254.169.254').isLinkLocalUnicast()", "true");
    expect("ip('192.168.0.1').isLinkLocalUnicast()", "false");
    expect("ip('fe80::1').isLinkLocalUnicast()", "true");
    expect("ip('fd80::1').isLinkLocalUnicast()", "false");
    expect("ip('192.168.0.1').isGlobalUnicast()", "true");
    expect("ip('255.255.255.255').isGlobalUnicast()", "false");
    expect("ip('2001:db8::abcd').isGlobalUnicast()", "true");
    expect("ip('ff00::1').isGlobalUnicast()", "false");
}

/* TestCIDR: parse ipv4, parse invalid ipv4, parse ipv6, parse invalid ipv6 */
Test(k8s_ip, cidr_parse)
{
    expect("cidr(dyn('192.168.0.0/24')) == cidr('192.168.0.0/24')", "true");
    expect_error("cidr('192.168.0.0/')",
                 "network address parse error during conversion from string: network address parse "
                 "error during conversion from string: netip.ParsePrefix(\"192.168.0.0/\"): bad bits "
                 "after slash: \"\"");
    expect("cidr('2001:db8::/32').prefixLength()", "32");
    expect_error("cidr('2001:db8::/')",
                 "network address parse error during conversion from string: network address parse "
                 "error during conversion from string: netip.ParsePrefix(\"2001:db8::/\"): bad bits "
                 "after slash: \"\"");
    expect("isCIDR('192.168.0.0/24')", "true");
    expect("isCIDR('192.168.0.0/')", "false");
}

/* TestCIDR: contains IP / contains CIDR, ipv4 and ipv6, (IP) and (string) */
Test(k8s_ip, cidr_contains)
{
    expect("cidr('192.168.0.0/24').containsIP(ip('192.168.0.1'))", "true");
    expect("cidr('192.168.0.0/24').containsIP(ip('192.168.1.1'))", "false");
    expect("cidr('192.168.0.0/24').containsIP('192.168.0.1')", "true");
    expect("cidr('192.168.0.0/24').containsIP('192.168.1.1')", "false");
    expect("cidr('192.168.0.0/24').containsCIDR(cidr('192.168.0.0/25'))", "true");
    expect("cidr('192.168.0.0/24').containsCIDR(cidr('192.168.0.0/23'))", "false");
    expect("cidr('192.168.0.0/24').containsCIDR('192.168.0.0/25')", "true");
    expect("cidr('192.168.0.0/24').containsCIDR('192.168.0.0/23')", "false");
    expect("cidr('2001:db8::/32').containsIP(ip('2001:db8::1'))", "true");
    expect("cidr('2001:db8::/32').containsIP(ip('2001:dc8::1'))", "false");
    expect("cidr('2001:db8::/32').containsIP('2001:db8::1')", "true");
    expect("cidr('2001:db8::/32').containsIP('2001:dc8::1')", "false");
    expect("cidr('2001:db8::/32').containsCIDR(cidr('2001:db8::/33'))", "true");
    expect("cidr('2001:db8::/32').containsCIDR(cidr('2001:db8::/31'))", "false");
    expect("cidr('2001:db8::/32').containsCIDR('2001:db8::/33')", "true");
    expect("cidr('2001:db8::/32').containsCIDR('2001:db8::/31')", "false");
    /* TestCIDR "contains CIDR ipv4 (CIDR) (/32)": an unmasked address inside */
    expect("cidr('192.168.0.0/24').containsCIDR(cidr('192.168.0.1/32'))", "true");
    expect("cidr('192.168.0.0/24').containsCIDR(cidr('192.168.1.1/32'))", "false");
}

/* TestCIDR: returns IP, masks masked / unmasked, returns prefix length;
 * cidr.go doc comment */
Test(k8s_ip, cidr_parts)
{
    expect("cidr('192.168.0.0/24').ip() == ip('192.168.0.0')", "true");
    expect("cidr('192.168.0.0/24').masked() == cidr('192.168.0.0/24')", "true");
    expect("cidr('192.168.0.1/24').masked() == cidr('192.168.0.0/24')", "true");
    expect("cidr('192.168.0.1/24') == cidr('192.168.0.1/24').masked()", "false");
    expect("cidr('192.168.0.0/24').prefixLength()", "24");
    expect("cidr('2001:db8::/32').ip() == ip('2001:db8::')", "true");
    expect("cidr('2001:db8::/32').masked() == cidr('2001:db8::/32')", "true");
    expect("cidr('2001:db8:1::/32').masked() == cidr('2001:db8::/32')", "true");
    expect("cidr('::1/128').ip().family()", "6");
    expect("cidr('192.168.0.1/24').ip().family()", "4");
    expect("cidr('::1/128').prefixLength()", "128");
}

/* Kubernetes' ip and cidr libraries declare string(ip) and string(cidr)
 * (library/ip.go, library/cidr.go: "string" overloads), and their type
 * names are identifiers (`type(ip('::1')) == net.IP`). */
Test(k8s_ip, string_conversion_and_type_names)
{
    expect("string(ip('192.168.0.1'))", "\"192.168.0.1\"");
    expect("string(ip('2001:db8::68'))", "\"2001:db8::68\"");
    expect("string(cidr('192.168.0.0/24'))", "\"192.168.0.0/24\"");
    expect("type(ip('::1')) == net.IP", "true");
    expect("type(cidr('::1/128')) == net.CIDR", "true");
    expect("type(quantity('1')) == kubernetes.Quantity", "true");
}
