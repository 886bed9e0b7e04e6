# 64-bit file offsets on every target, for every compiled file. On 32-bit
# ARM (armhf) glibc's off_t, ino_t and struct dirent are 32-bit without it:
# files over 2 GiB cannot be opened or sized, and readdir() fails with
# EOVERFLOW on ext4 (64-bit inode hashes), which code that stops at the
# first NULL reads as an empty directory. A no-op on 64-bit targets.
#
# Not _TIME_BITS=64: glibc 2.36 supports it, but Debian 12's armhf libraries
# (GnuTLS, libarchive, libcurl, libmicrohttpd) are built with a 32-bit
# time_t, and Ferry passes time_t across their APIs (certificate expiry,
# archive entry times), so a 64-bit time_t here would break that ABI
# silently. Debian 13 ("trixie") moved armhf to 64-bit time_t throughout;
# set it there. Ferry's own times are int64_t seconds or std::chrono.
add_compile_definitions(_FILE_OFFSET_BITS=64)
