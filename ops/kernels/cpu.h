// Which instruction set the fast kernels use, detected once per process.
//
// One binary runs on any x86-64: the AVX2 and AVX-512 microkernels live in files of
// their own, compiled for those ISAs, and are only called when the CPU has them. Other
// architectures build the portable C++ kernels alone.
#pragma once

namespace onyx::kernels {

enum class Isa { Generic, Avx2, Avx512 };

// Plain loops (elementwise, depthwise, activations) marked with this are compiled twice
// on x86-64 GCC, for AVX2 and for the baseline, and the loader picks one per CPU.
// ThreadSanitizer builds compile them once: the loader runs the clones' resolvers,
// instrumented, before TSan's runtime is up, and the process dies before main.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__)
#define ONYX_AVX2_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define ONYX_AVX2_CLONES
#endif

// The best ISA this CPU and build support. ONYX_ISA=generic|avx2|avx512 in the
// environment lowers it (never above what the CPU has), to test or compare paths.
Isa active_isa();
bool isa_supported(Isa isa);
const char* isa_name(Isa isa);
// AVX512-VNNI (with AVX-512BW), for the 8-bit GEMM's tile; independent of ONYX_ISA.
bool cpu_has_avx512vnni();

}  // namespace onyx::kernels
