package dev.umbra.signatures;

import java.util.Locale;

/**
 * What kind of AI service a catalog entry is. The wire form ({@link #id()}) is stable snake_case and
 * is what catalog files, policy files and findings use.
 */
public enum Category {
    CHAT_ASSISTANT("chat_assistant"),
    MODEL_API("model_api"),
    CODING_ASSISTANT("coding_assistant"),
    IMAGE_VIDEO_GENERATION("image_video_generation"),
    VOICE_AUDIO("voice_audio"),
    WRITING_ASSISTANT("writing_assistant"),
    AI_SEARCH("ai_search"),
    AGENT_PLATFORM("agent_platform"),
    MODEL_HUB("model_hub"),
    SAAS_AI_FEATURE("saas_ai_feature"),
    SELF_HOSTED_RUNTIME("self_hosted_runtime");

    private final String id;

    Category(String id) {
        this.id = id;
    }

    /** The stable snake_case identifier used in catalog files and findings. */
    public String id() {
        return id;
    }

    /**
     * Parses a user- or file-supplied category id strictly.
     *
     * @throws IllegalArgumentException naming the value and the accepted ids
     */
    public static Category fromId(String id) {
        if (id != null) {
            String wanted = id.trim().toLowerCase(Locale.ROOT);
            for (Category c : values()) {
                if (c.id.equals(wanted)) {
                    return c;
                }
            }
        }
        throw new IllegalArgumentException("unknown category: " + id + " (one of " + ids() + ")");
    }

    static String ids() {
        StringBuilder sb = new StringBuilder();
        for (Category c : values()) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(c.id);
        }
        return sb.toString();
    }
}
