# Cross-build kml's user-space tools for arm64 (Raspberry Pi 4, Jetson) with
# Debian's aarch64-linux-gnu toolchain and multiarch :arm64 libraries.
# The tools are linked statically, so they run on any arm64 root (and in the
# busybox-only QEMU guest) without a matching libc or libstdc++.
#   cmake -S . -B build/aarch64 --toolchain cmake/aarch64-linux-gnu.cmake -DKML_TOOLS_ONLY=ON
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64)

# Static executables (KML_TOOLS_ONLY makes find_library take archives).
set(CMAKE_EXE_LINKER_FLAGS_INIT -static)
# pkg-config must describe the arm64 libraries, not the host's.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)
