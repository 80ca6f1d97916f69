"""cloudlet: the AWS cloud on one machine, in one Python process."""
__version__ = "0.1.0"
