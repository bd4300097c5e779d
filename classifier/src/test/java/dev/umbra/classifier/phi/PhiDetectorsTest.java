package dev.umbra.classifier.phi;

import static dev.umbra.classifier.Fixtures.spans;
import static dev.umbra.classifier.Fixtures.types;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PhiDetectorsTest {
    @Test
    void npi_cmsExampleWithContext_isDetected() {
        assertThat(spans("Prescriber NPI: 1234567893", "us_npi")).containsExactly("1234567893");
        assertThat(types("NPI: 1234567894")).doesNotContain("us_npi");
        assertThat(types("Batch 1234567893 done")).doesNotContain("us_npi");
    }

    @Test
    void nhs_mod11WithContext_isDetected() {
        assertThat(spans("NHS number 943 476 5919", "uk_nhs_number")).containsExactly("943 476 5919");
        assertThat(spans("NHS: 9434765919", "uk_nhs_number")).containsExactly("9434765919");
        assertThat(types("NHS number 943 476 5918")).doesNotContain("uk_nhs_number");
        assertThat(types("reference 9434765919")).doesNotContain("uk_nhs_number");
    }

    @Test
    void mbi_cmsFormat_isDetectedAndExcludedLettersAreNot() {
        assertThat(spans("Medicare MBI 1EG4-TE5-MK73", "us_mbi")).containsExactly("1EG4-TE5-MK73");
        assertThat(spans("MBI 1EG4TE5MK73", "us_mbi")).containsExactly("1EG4TE5MK73");
        // S, L, O, I, B and Z are never used
        assertThat(types("MBI 1SG4TE5MK73")).doesNotContain("us_mbi");
    }

    @Test
    void dea_checkDigitWithContext_isDetected() {
        assertThat(spans("DEA number AB1234563", "us_dea_number")).containsExactly("AB1234563");
        assertThat(types("DEA number AB1234564")).doesNotContain("us_dea_number");
        assertThat(types("SKU AB1234563")).doesNotContain("us_dea_number");
    }

    @Test
    void icd10_withMedicalContextOnly() {
        assertThat(spans("Diagnosis: E11.9 and J45.909", "icd10_code")).containsExactly("E11.9", "J45.909");
        assertThat(spans("ICD-10 I10", "icd10_code")).containsExactly("I10");
        assertThat(types("Room E11.9 is on floor B12")).doesNotContain("icd10_code");
    }

    @Test
    void mrn_afterMedicalRecordWords() {
        assertThat(spans("MRN: 00482915", "medical_record_number")).containsExactly("00482915");
        assertThat(spans("Medical record number 4829150", "medical_record_number")).containsExactly("4829150");
        assertThat(types("Record 00482915")).doesNotContain("medical_record_number");
    }
}
