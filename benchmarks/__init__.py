"""Speed benchmarks of the course's transformer: training, attention kernels, generation.

    python -m benchmarks                      # every part that can run on this machine
    python -m benchmarks --parts attention    # one part
    python -m benchmarks --tiny               # seconds-long smoke configuration

See benchmarks/README.md. Benchmarks print numbers and never fail on a slow machine.
"""
