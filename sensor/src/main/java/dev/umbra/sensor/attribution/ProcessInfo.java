package dev.umbra.sensor.attribution;

/**
 * The local owner of a socket: always the user, and the process when it is visible.
 *
 * <p>The user comes from the socket table ({@code /proc/net/*}, or {@code /proc/PID/net/*} of a process
 * in the container's network namespace), readable by anyone. The process
 * comes from {@code /proc/PID/fd}, which the kernel shows only for processes of the same user, or
 * with CAP_SYS_PTRACE; otherwise {@code pid} is -1 and the process fields are null.
 *
 * @param uid owning user id
 * @param user user name of {@code uid}, or the number as text when it has no name
 * @param pid process id, or -1 when not visible
 * @param name process name ({@code /proc/PID/comm}), or null
 * @param executable path of the executable, or null when not readable
 * @param commandLine the command line with secrets masked ({@link CommandLineMasker}), or null
 * @param container the container the process runs in ({@code /proc/PID/cgroup}), or null
 */
public record ProcessInfo(int uid, String user, long pid, String name, String executable, String commandLine,
        ContainerId container) {

    /** A process outside any container, or whose container is not known. */
    public ProcessInfo(int uid, String user, long pid, String name, String executable, String commandLine) {
        this(uid, user, pid, name, executable, commandLine, null);
    }

    /** True when the owning process is known, not just the user. */
    public boolean hasProcess() {
        return pid >= 0;
    }
}
