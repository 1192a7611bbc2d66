import CZlib
import Glibc

/// zlib's allocator for compressors: each of a compressor's buffers (about 64 KiB apiece, 256 KiB in all) is mapped
/// from the kernel and unmapped when the compressor ends.
///
/// A recording proxy opens and finishes a compressor per run. From malloc, these buffers sit below its mmap
/// threshold and, freed by one thread after others allocated around them, fragment the heap: RSS kept growing by
/// the size of the open compressors every thousand runs or so, long after they were finished. Mapped pages go back
/// to the kernel when they are freed.
enum PageMappedMemory {
    /// Room before each block for its mapped length, keeping the block 16-byte aligned.
    private static let headerSize = 16

    /// `zalloc`: `items * size` bytes in their own mapping, or nil (zlib then fails with `Z_MEM_ERROR`). `mmap`
    static let allocate: alloc_func = { _, items, size in
        let (bytes, overflow) = Int(items).multipliedReportingOverflow(by: Int(size))
        guard !overflow, bytes <= Int.max - headerSize else { return nil }
        let length = bytes + headerSize
        guard let mapping = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
            mapping != MAP_FAILED
        else { return nil }
        mapping.storeBytes(of: length, as: Int.self)
        return mapping + headerSize
    }

    /// `zfree`: unmaps a block from ``allocate``. `munmap`
    static let free: free_func = { _, address in
        guard let address else { return }
        let mapping = address - headerSize
        munmap(mapping, mapping.load(as: Int.self))
    }
}
