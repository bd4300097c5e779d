package dev.umbra.sensor.capture.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Samba file server ({@code smbd}, Debian's samba) inside a test's network namespace, on ports 445
 * (direct TCP) and 139 (NetBIOS session service), SMB1 allowed besides SMB2 and 3,
 * workgroup {@value #WORKGROUP}, standalone, users in its own tdbsam database (no guest). Each user needs a
 * system account: {@link #start} adds them ({@code useradd --system}) and {@link #close} removes them.
 * Passwords are synthetic and reach {@code smbclient} through its {@code PASSWD} environment variable,
 * never a command line. Clients run on the host with {@link #list}. The server stops with the namespace.
 */
public final class Smbd implements AutoCloseable {
    /** The server's workgroup: the NTLM domain its clients name. */
    public static final String WORKGROUP = "UMBRATEST";
    /** The share {@link #list} opens. */
    public static final String SHARE = "share";

    private final Path conf;
    private final Path share;
    private final List<String> accounts = new ArrayList<>();

    private Smbd(Path conf, Path share) {
        this.conf = conf;
        this.share = share;
    }

    /** Writes the server's configuration in {@code dir}, adds {@code users}, starts smbd in {@code ns}. */
    public static Smbd start(Netns ns, Path dir, String... users) throws IOException {
        HostTools.requireRoot();
        HostTools.require("smbd", "samba");
        HostTools.require("smbpasswd", "samba");
        HostTools.require("smbclient", "smbclient");
        HostTools.require("useradd", "passwd");
        for (String d : new String[] {"private", "lock", "state", "cache", "pid", "ncalrpc"}) {
            Files.createDirectories(dir.resolve(d));
        }
        // the share is read as the logged-on user, who cannot reach into the test's private temporary directory
        Path share = Files.createTempDirectory("umbra-smb-share",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path conf = dir.resolve("smb.conf");
        Files.writeString(conf, String.join("\n", "[global]", "  workgroup = " + WORKGROUP, "  netbios name = FILES",
                "  server role = standalone server", "  security = user", "  map to guest = never",
                "  server min protocol = NT1",
                "  passdb backend = tdbsam:" + dir.resolve("private/passdb.tdb"),
                "  private dir = " + dir.resolve("private"), "  lock directory = " + dir.resolve("lock"),
                "  state directory = " + dir.resolve("state"), "  cache directory = " + dir.resolve("cache"),
                "  pid directory = " + dir.resolve("pid"), "  ncalrpc dir = " + dir.resolve("ncalrpc"),
                "  log file = " + dir.resolve("smbd.log"), "  smb ports = 445 139", "  disable netbios = yes",
                "  load printers = no", "  printing = bsd", "  printcap name = /dev/null", "  disable spoolss = yes",
                "[" + SHARE + "]", "  path = " + share, "  read only = yes", ""));
        Smbd smbd = new Smbd(conf, share);
        try {
            for (String user : users) {
                smbd.addUser(user);
            }
            Path log = dir.resolve("smbd.out");
            // in a process group of its own (no --no-process-group): smbd signals its whole group when it
            // stops, which would be the test's
            Process p = ns.start(log, "smbd", "--foreground", "--debug-stdout", "-d", "1", "-s",
                    conf.toString());
            ns.awaitTcpListener(445, p, log);
        } catch (RuntimeException | Error e) {
            smbd.close();
            throw e;
        }
        return smbd;
    }

    /** A user's synthetic password. */
    private static String password(String user) {
        return "SYNTHETIC-" + user + "-pw1";
    }

    private void addUser(String user) {
        HostTools.Result add = HostTools.run(30, "useradd", "--system", "--no-create-home", "--shell",
                "/usr/sbin/nologin", user);
        // 9: a run killed before it could remove it left it behind
        assertThat(add.exitCode()).as("useradd %s: %s", user, add.err()).isIn(0, 9);
        accounts.add(user);
        HostTools.Result r = HostTools.run(30, List.of("sh", "-c", "printf '%s\\n%s\\n' \"$PW\" \"$PW\" | smbpasswd -c \""
                + conf + "\" -s -a " + user, "smbpasswd", user), "PW", password(user));
        assertThat(r.exitCode()).as("smbpasswd -a %s: %s", user, r.err()).isZero();
    }

    /**
     * {@code smbclient} on the host lists the share at {@code address} on {@code port} (445, or 139 after a
     * NetBIOS session request) as {@code user} (NTLM: the server is in no realm), with the right password or
     * a wrong one, over SMB 3.1.1 or, when {@code smb1}, SMB1 (NT LM 0.12, SESSION_SETUP_ANDX).
     *
     * @return what smbclient did: exit code 0 for a listing, 1 when the logon failed
     */
    public HostTools.Result list(String address, int port, String user, boolean rightPassword, boolean smb1) {
        // the server by its NetBIOS name and -I its address (a UNC path takes no IPv6 literal)
        List<String> command = new ArrayList<>(List.of("smbclient", "-s", "/dev/null", "//FILES/" + SHARE, "-I", address,
                "-p", Integer.toString(port), "-U", WORKGROUP + "/" + user, "-c", "ls"));
        if (smb1) {
            command.addAll(List.of("--option=client min protocol=NT1", "--option=client max protocol=NT1"));
        }
        HostTools.Result r = HostTools.run(30, command, "PASSWD", rightPassword ? password(user) : "wrong-" + password(user));
        return r;
    }

    @Override
    public void close() {
        for (String user : accounts) {
            HostTools.run(30, "userdel", user);
        }
        accounts.clear();
        try {
            Files.deleteIfExists(share);
        } catch (IOException e) {
            // an empty directory in /tmp: nothing to report
        }
    }
}
