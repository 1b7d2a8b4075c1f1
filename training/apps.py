from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "Training"

    def ready(self):
        # Here, not at the top: signals imports models, which Django forbids before the app
        # registry is ready.
        from training import signals

        signals.connect()
