package dev.umbra.shipper;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Set;

/** Validates events against the checked-in JSON Schema of Umbra's OCSF events. */
public final class SchemaCheck {
    /** Class-path location of the schema (also documented in docs/schema.md). */
    public static final String RESOURCE = "/dev/umbra/shipper/ocsf/umbra-ocsf-events.schema.json";
    private static final JsonSchema SCHEMA = load();

    private SchemaCheck() {
    }

    private static JsonSchema load() {
        try (InputStream in = SchemaCheck.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("schema not on the class path: " + RESOURCE);
            }
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The validation errors of one event (empty when valid). */
    public static Set<ValidationMessage> errors(JsonNode event) {
        return SCHEMA.validate(event);
    }

    /** Asserts the event validates. */
    public static void assertValid(JsonNode event) {
        assertThat(errors(event)).as("schema errors of %s", event).isEmpty();
    }
}
