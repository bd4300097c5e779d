package dev.umbra.classifier.pii;

import static dev.umbra.classifier.Fixtures.scan;
import static dev.umbra.classifier.Fixtures.spans;
import static dev.umbra.classifier.Fixtures.types;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.classifier.Detection;
import dev.umbra.classifier.Likelihood;
import org.junit.jupiter.api.Test;

class PiiDetectorsTest {
    @Test
    void email_addressInProse_isDetectedWithDomainKept() {
        String t = "Contact me at jane.o'neil? no: jane.oneil+work@mail.acme-corp.com today";
        assertThat(spans(t, "email")).containsExactly("jane.oneil+work@mail.acme-corp.com");
        assertThat(scan(t).get(0).masked()).isEqualTo("j***@mail.acme-corp.com");
    }

    @Test
    void email_packageVersionsDecoratorsAndGitRemotes_areNotEmails() {
        assertThat(types("npm i lodash@4.17.21 and @Override and git@github.com:acme/app.git and user@localhost"))
                .doesNotContain("email");
    }

    @Test
    void card_issuerRangesIncludingMastercard2Series_areDetected() {
        assertThat(spans("visa 4111 1111 1111 1111", "credit_card")).hasSize(1);
        assertThat(spans("mc 5555-5555-5555-4444", "credit_card")).hasSize(1);
        assertThat(spans("mc2 2221000000000009", "credit_card")).hasSize(1);
        assertThat(spans("amex 3782 822463 10005", "credit_card")).containsExactly("3782 822463 10005");
        assertThat(scan("card 4111 1111 1111 1111").get(0).masked()).isEqualTo("4111 **** **** 1111");
    }

    @Test
    void card_badLuhnUnknownIssuerOrImei_isNotACard() {
        assertThat(types("ref 4111 1111 1111 1112")).doesNotContain("credit_card");
        // Luhn-valid, but 2721 is above the Mastercard 2-series range and 9 is no issuer
        assertThat(types("x 2721000000000007 y 9000000000000008")).doesNotContain("credit_card");
        // a Luhn-valid 15-digit IMEI: no issuer has 15-digit numbers starting with 35
        assertThat(types("IMEI 356938035643809")).doesNotContain("credit_card");
    }

    @Test
    void ssn_validAndRuleBreaking_areTold() {
        assertThat(spans("SSN: 536-22-1234", "us_ssn")).containsExactly("536-22-1234");
        assertThat(types("000-12-3456 666-12-3456 912-12-3456 536-00-1234 536-22-0000 078-05-1120 123-45-6789"))
                .doesNotContain("us_ssn");
        assertThat(types("536221234")).doesNotContain("us_ssn");
        assertThat(types("social security number 536221234")).contains("us_ssn");
    }

    @Test
    void phone_e164AndNationalFormats_areDetected() {
        String t = "Call (415) 555-0132, +1 415 555 0132, +44 20 7946 0958, 020 7946 0958, +33 1 23 45 67 89, 415.555.0132";
        assertThat(spans(t, "phone_number")).containsExactly("(415) 555-0132", "+1 415 555 0132", "+44 20 7946 0958",
                "020 7946 0958", "+33 1 23 45 67 89", "415.555.0132");
    }

    @Test
    void phone_numbersInCodeDatesAndOrders_areNotPhones() {
        assertThat(types("const TIMEOUT = 4155550132; int[] a = {415, 555, 132}; 2024-01-15 10:30:00")).isEmpty();
        assertThat(types("Order number 4155550132 shipped")).doesNotContain("phone_number");
        assertThat(types("area 155-555-0132 is not NANP")).doesNotContain("phone_number");
    }

    @Test
    void iban_registryExampleSpacedAndCompact_isDetectedAndBadCheckIsNot() {
        assertThat(spans("IBAN DE89 3704 0044 0532 0130 00.", "iban")).containsExactly("DE89 3704 0044 0532 0130 00");
        assertThat(spans("to GB82WEST12345698765432", "iban")).hasSize(1);
        assertThat(types("to GB82WEST12345698765433")).doesNotContain("iban");
        assertThat(types("to GB82WEST1234569876543")).doesNotContain("iban");
    }

    @Test
    void ip_v4AndV6_areDetectedAndLookalikesAreNot() {
        assertThat(spans("from 203.0.113.45 and 2001:db8::8a2e:370:7334 and fe80::1ff:fe23:4567:890a", "ip_address"))
                .containsExactly("203.0.113.45", "2001:db8::8a2e:370:7334", "fe80::1ff:fe23:4567:890a");
        assertThat(types("1.2.3.4.5 256.1.1.1 01.2.3.4 10:30:00 00:1a:2b:3c:4d:5e std::vector crate::db::add"))
                .doesNotContain("ip_address");
        assertThat(types("version 1.2.3.4")).doesNotContain("ip_address");
    }

    @Test
    void dateOfBirth_onlyWithContext() {
        assertThat(spans("DOB: 03/14/1985", "date_of_birth")).containsExactly("03/14/1985");
        assertThat(spans("born on 12 March 1985", "date_of_birth")).containsExactly("12 March 1985");
        assertThat(spans("Date of birth: March 12, 1985", "date_of_birth")).containsExactly("March 12, 1985");
        assertThat(types("Sprint starts 03/14/2025 and the review is 2025-04-01")).doesNotContain("date_of_birth");
    }

    @Test
    void passport_onlyWithContext() {
        assertThat(spans("Passport number: X12345678", "passport_number")).containsExactly("X12345678");
        assertThat(types("Reference X12345678")).doesNotContain("passport_number");
    }

    @Test
    void contextWords_wholeWordsOnly() {
        // "cardinal" contains "card" but is not the word card: the bare card stays LIKELY
        Detection plain = scan("cardinal 4111111111111111").get(0);
        Detection ctx = scan("card 4111111111111111").get(0);
        assertThat(plain.likelihood()).isEqualTo(Likelihood.LIKELY);
        assertThat(ctx.likelihood()).isEqualTo(Likelihood.VERY_LIKELY);
    }
}
