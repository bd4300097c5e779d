package dev.umbra.sensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.sensor.flow.FlowKey;
import org.junit.jupiter.api.Test;

class LogonUsersTest {
    private static final long V4 = FlowKey.V4_MARK;
    private static final long HOUR = 3600 * 1_000_000_000L;

    @Test
    void anAddressIsItsUsersForTheLifetimeAfterTheLastReply() {
        LogonUsers users = new LogonUsers(16, 10 * HOUR);
        users.authenticated(V4, 0x0a000005L, "alice@UMBRA.TEST", 0);
        assertThat(users.user(V4, 0x0a000005L, 9 * HOUR)).isEqualTo("alice@UMBRA.TEST");
        assertThat(users.user(V4, 0x0a000006L, HOUR)).as("another address").isNull();
        users.authenticated(V4, 0x0a000005L, "alice@UMBRA.TEST", 9 * HOUR); // a service ticket later on
        assertThat(users.user(V4, 0x0a000005L, 18 * HOUR)).isEqualTo("alice@UMBRA.TEST");
        assertThat(users.user(V4, 0x0a000005L, 20 * HOUR)).as("expired").isNull();
        users.authenticated(0x20010db800000000L, 1, "bob@UMBRA.TEST", 0);
        assertThat(users.user(0x20010db800000000L, 1, HOUR)).isEqualTo("bob@UMBRA.TEST");
    }

    @Test
    void twoUsersAtOneAddress_nameNoOneUntilOneHasNotBeenSeenForALifetime() {
        LogonUsers users = new LogonUsers(16, 10 * HOUR);
        users.authenticated(V4, 7, "alice@UMBRA.TEST", 0);
        users.authenticated(V4, 7, "bob@UMBRA.TEST", HOUR);
        assertThat(users.user(V4, 7, 2 * HOUR)).as("a terminal server, a NAT gateway").isNull();
        users.authenticated(V4, 7, "alice@UMBRA.TEST", 3 * HOUR);
        assertThat(users.user(V4, 7, 4 * HOUR)).isNull();
        assertThat(users.user(V4, 7, 12 * HOUR)).as("bob last seen 11 h ago").isEqualTo("alice@UMBRA.TEST");
        // a third user pushes the eldest out: still two at once
        users.authenticated(V4, 8, "a@R", 0);
        users.authenticated(V4, 8, "b@R", 1);
        users.authenticated(V4, 8, "c@R", 2);
        assertThat(users.user(V4, 8, 3)).isNull();
        assertThat(users.user(V4, 8, 10 * HOUR + 2)).isEqualTo("c@R");
    }

    @Test
    void theCap_forgetsTheLeastRecentlyWrittenAddress() {
        LogonUsers users = new LogonUsers(2, HOUR);
        users.authenticated(V4, 1, "a@R", 0);
        users.authenticated(V4, 2, "b@R", 1);
        users.authenticated(V4, 1, "a@R", 2);
        users.authenticated(V4, 3, "c@R", 3);
        assertThat(users.size()).isEqualTo(2);
        assertThat(users.user(V4, 2, 4)).isNull();
        assertThat(users.user(V4, 1, 4)).isEqualTo("a@R");
        assertThat(users.user(V4, 3, 4)).isEqualTo("c@R");
        assertThatThrownBy(() -> new LogonUsers(0, HOUR)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void oneAccountByKerberosAndNtlm_isOneUser_keptInItsFirstForm_computersAreNotUsers() {
        LogonUsers users = new LogonUsers(16, 10 * HOUR);
        users.authenticated(V4, 9, "alice@CORP.EXAMPLE", 0);
        users.authenticated(V4, 9, "CORP\\Alice", HOUR); // the same account over SMB
        assertThat(users.user(V4, 9, 2 * HOUR)).isEqualTo("alice@CORP.EXAMPLE");
        assertThat(users.user(V4, 9, 10 * HOUR + 1)).as("the NTLM logon renewed it").isEqualTo("alice@CORP.EXAMPLE");
        users.authenticated(V4, 9, "CORP\\bob", 3 * HOUR);
        assertThat(users.user(V4, 9, 4 * HOUR)).isNull();
        users.authenticated(V4, 10, "CORP\\WS01$", 0);
        assertThat(users.user(V4, 10, 1)).isNull();
        assertThat(LogonUsers.account("CORP\\Carol")).isEqualTo("carol");
        assertThat(LogonUsers.account("carol@corp.example")).isEqualTo("carol");
        assertThat(LogonUsers.account("carol")).isEqualTo("carol");
    }
}
