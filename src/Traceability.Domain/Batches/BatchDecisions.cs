using Traceability.Domain.Shared;

namespace Traceability.Domain.Batches;

public sealed record RegisterBatch(
    Guid BatchId,
    Producer Producer,
    Product Product,
    string LotNumber,
    Quantity Quantity,
    Origin? Origin,
    DateTimeOffset ProducedAt,
    DateOnly? BestBefore,
    decimal? DeclaredYield,
    PartyRef Actor,
    DateTimeOffset Now);

/// <summary>Record a step the custodian reports. <paramref name="Step"/> is the fact to record.</summary>
public sealed record RecordStep(PartyRef Actor, DateTimeOffset Now, IBatchStep Step);

/// <summary>Pure decisions on one batch: state and command in, events out, or a <see cref="DomainException"/>.</summary>
public static class BatchDecisions
{
    /// <summary>Phones' clocks drift; more than this ahead of the server is a mistake, not drift.</summary>
    public static readonly TimeSpan FutureTolerance = TimeSpan.FromMinutes(10);

    public static IReadOnlyList<IBatchEvent> Decide(Batch state, RegisterBatch command)
    {
        if (state.Exists)
            throw Rule("batch.already_registered", "Lô hàng này đã được đăng ký.", "This batch is already registered.");
        if (command.Actor.Id != command.Producer.CooperativeId)
            throw new DomainException("batch.not_custodian", "Chỉ hợp tác xã sản xuất mới đăng ký lô hàng của mình.",
                "Only the producing cooperative registers its batches.");
        Quantity.Create(command.Quantity.Amount, command.Quantity.Unit, "quantity");
        Text.Require(command.Producer.Name, "producer.name", 200);
        CheckRegistration(command.Product, command.LotNumber, command.Origin, command.ProducedAt, command.BestBefore, command.DeclaredYield, command.Now);
        if (command.Origin is { } origin && LocalDate(command.ProducedAt) < origin.HarvestFrom)
            throw Rule("batch.produced_before_harvest", "Ngày sản xuất không thể trước ngày khai thác.",
                "A batch cannot be produced before its raw material was caught or harvested.");
        return [new BatchRegistered(command.BatchId, command.Producer, command.Product, command.LotNumber, command.Quantity,
            command.Origin, command.ProducedAt, command.BestBefore, [], command.DeclaredYield, command.Actor, command.Now)];
    }

    internal static void CheckRegistration(Product product, string lotNumber, Origin? origin, DateTimeOffset producedAt,
        DateOnly? bestBefore, decimal? declaredYield, DateTimeOffset now)
    {
        Text.Require(product.NameVi, "product.nameVi", 200);
        Text.Optional(product.NameEn, "product.nameEn", 200);
        Text.Require(product.Category, "product.category", 60);
        Text.Require(lotNumber, "lotNumber", 40);
        if (origin is not null)
        {
            Text.Require(origin.Area, "origin.area", 200);
            Text.Optional(origin.VesselOrHouseholdRef, "origin.vesselOrHouseholdRef", 60);
            if (origin.HarvestTo < origin.HarvestFrom)
                throw new InvalidFieldException("origin.harvestTo", "Ngày kết thúc khai thác phải sau ngày bắt đầu.", "The harvest must end on or after the day it starts.");
            if (origin.Location is { } point && (point.Latitude is < -90 or > 90 || point.Longitude is < -180 or > 180))
                throw new InvalidFieldException("origin.location", "Tọa độ không hợp lệ.", "Latitude must be within ±90 and longitude within ±180.");
            // Harvest dates are the cooperative's local dates: compare with today where the batch was produced.
            if (origin.HarvestTo > LocalDate((now + FutureTolerance).ToOffset(producedAt.Offset)))
                throw InFuture("origin.harvestTo");
        }

        if (producedAt > now + FutureTolerance) throw InFuture("producedAt");
        if (bestBefore is { } expiry && expiry < LocalDate(producedAt))
            throw new InvalidFieldException("bestBefore", "Hạn sử dụng phải sau ngày sản xuất.", "Best-before must be on or after the production date.");
        if (declaredYield is not null and (<= 0 or > 1))
            throw new InvalidFieldException("declaredYield", "Hiệu suất phải lớn hơn 0 và không quá 1.", "A yield is more than 0 and at most 1.");
    }

    public static IReadOnlyList<IBatchEvent> Decide(Batch state, RecordStep command)
    {
        var step = command.Step;
        if (!state.Exists) throw NotFound();
        if (step.BatchId != state.Id)
            throw new InvalidOperationException("The step names another batch than the one decided on.");
        CheckStepInfo(step.Step, command.Now);
        CheckWhoAndWhen(state, command.Actor, step);

        switch (step)
        {
            case BatchReceived e:
                RequireStage(state, ProcessingStage.Raw, "tiếp nhận nguyên liệu", "receiving");
                CheckQuantity(state, e.Quantity, "quantity");
                Text.Optional(e.SupplierRef, "supplierRef", 60);
                break;
            case BatchWashed e:
                RequireStage(state, ProcessingStage.Washed, "sơ chế, làm sạch", "washing");
                Text.Optional(e.Method, "method", 200);
                break;
            case BatchSalted e:
                RequireStage(state, ProcessingStage.Salted, "ướp muối", "salting");
                if (e.SaltPercent is <= 0 or > 100)
                    throw new InvalidFieldException("saltPercent", "Tỷ lệ muối phải từ trên 0 đến 100%.", "Salt % is more than 0 and at most 100.");
                if (e.DurationHours is < 0 or > 720)
                    throw new InvalidFieldException("durationHours", "Thời gian ướp muối không hợp lệ (0–720 giờ).", "Salting lasts 0 to 720 hours.");
                break;
            case BatchDried e:
                RequireStage(state, ProcessingStage.Dried, "phơi / sấy", "drying");
                CheckDrying(state, e, command.Now);
                break;
            case BatchInspected e:
                Text.Require(e.Inspector, "inspector", 200);
                Text.Optional(e.DocumentRef, "documentRef", 200);
                if (!Enum.IsDefined(e.Result)) throw new InvalidFieldException("result", "Kết quả phải là Đạt hoặc Không đạt.", "The result is pass or fail.");
                if (e.Measurements.Count > 50) throw new InvalidFieldException("measurements", "Tối đa 50 chỉ tiêu.", "At most 50 measurements.");
                foreach (var m in e.Measurements)
                {
                    if (m is null) throw new InvalidFieldException("measurements", "Chỉ tiêu không được để trống.", "A measurement cannot be null.");
                    Text.Require(m.Name, "measurements.name", 100);
                    Text.Require(m.Unit, "measurements.unit", 20);
                }

                break;
            case BatchPacked e:
                RequireStage(state, ProcessingStage.Packed, "đóng gói", "packing");
                CheckPacking(state, e);
                break;
            case BatchStored e:
                Text.Optional(e.Conditions, "conditions", 200);
                if (e.TemperatureC is < -60 or > 60)
                    throw new InvalidFieldException("temperatureC", "Nhiệt độ bảo quản phải từ -60 đến 60 °C.", "Storage temperature is between -60 and 60 °C.");
                break;
            case BatchShipped e:
                CheckShipping(state, e);
                break;
            case BatchReceiptConfirmed e:
                CheckReceipt(state, e);
                break;
            case BatchRecalled e:
                if (state.Status == BatchStatus.Recalled)
                    throw Rule("batch.already_recalled", "Lô hàng đã bị thu hồi.", "This batch is already recalled.");
                Text.Require(e.Reason, "reason", 500);
                if (!Enum.IsDefined(e.Severity)) throw new InvalidFieldException("severity", "Mức độ không hợp lệ.", "Severity is low, medium or high.");
                break;
            case BatchNoteAdded e:
                Text.Require(e.Step.Note, "note", 2000);
                break;
            case BatchCorrected e:
                if (!state.RecordedEventIds.Contains(e.CorrectedEventId))
                    throw Rule("batch.correction_target_unknown", "Không tìm thấy sự kiện cần đính chính trong lô hàng này.",
                        "The corrected event is not part of this batch.");
                Text.Require(e.Field, "field", 100);
                Text.Require(e.CorrectValue, "correctValue", 500);
                Text.Require(e.Reason, "reason", 500);
                break;
            case BatchConsumed:
                throw Rule("batch.consume_via_transformation", "Chỉ ghi nhận tiêu hao qua gộp hoặc tách lô.",
                    "Consumption is recorded only by merging or splitting batches.");
            default:
                throw new InvalidOperationException($"Unknown step {step.GetType().Name}.");
        }

        return [step];
    }

    /// <summary>A recall reaching a downstream batch from <paramref name="causeBatchId"/>; nothing if it is already recalled.</summary>
    public static IReadOnlyList<IBatchEvent> DecideRecallPropagation(Batch state, Guid causeBatchId, StepInfo step, string reason, RecallSeverity severity)
    {
        Text.Require(reason, "reason", 500);
        return !state.Exists || state.Status == BatchStatus.Recalled
            ? []
            : [new BatchRecalled(state.Id, step, reason, severity, causeBatchId)];
    }

    internal static void CheckStepInfo(StepInfo info, DateTimeOffset now)
    {
        if (info.OccurredAt > now + FutureTolerance) throw InFuture("occurredAt");
        Text.Optional(info.Place, "place", 200);
        Text.Optional(info.Note, "note", 2000);
    }

    /// <summary>Custody and status: only the custodian records steps, and a recalled or travelling batch takes only some.</summary>
    private static void CheckWhoAndWhen(Batch state, PartyRef actor, IBatchStep step)
    {
        var isCustodian = state.Custodian?.Id == actor.Id;
        var isProducer = state.CooperativeId == actor.Id;
        switch (step)
        {
            case BatchReceiptConfirmed:
                if (state.Shipment?.To.Id != actor.Id)
                    throw Forbidden("Chỉ bên nhận hàng mới xác nhận nhận hàng.", "Only the receiving party confirms a receipt.");
                RequireNotBefore(state, step.Step.OccurredAt);
                return;
            case BatchNoteAdded or BatchCorrected:
                if (!isCustodian && !isProducer)
                    throw Forbidden("Chỉ cơ sở sản xuất hoặc bên đang giữ hàng mới ghi chú, đính chính.", "Only the producer or the custodian adds notes and corrections.");
                return;
            case BatchRecalled:
                if (!isCustodian && !isProducer)
                    throw Forbidden("Chỉ cơ sở sản xuất hoặc bên đang giữ hàng mới thu hồi lô hàng.", "Only the producer or the custodian recalls a batch.");
                return;
        }

        if (!isCustodian)
            throw Forbidden("Chỉ bên đang giữ lô hàng mới ghi nhận công đoạn.", "Only the batch's current custodian records steps.");
        if (state.Status == BatchStatus.Recalled)
            throw Rule("batch.recalled", "Lô hàng đang bị thu hồi: chỉ được ghi chú hoặc đính chính.",
                "The batch is recalled: it takes only notes and corrections.");
        if (state.Status == BatchStatus.InTransit)
            throw Rule("batch.in_transit", "Lô hàng đang vận chuyển: chờ bên nhận xác nhận.",
                "The batch is in transit: the receiving party must confirm receipt first.");
        RequireNotBefore(state, step.Step.OccurredAt);
    }

    private static void RequireStage(Batch state, ProcessingStage stage, string vi, string en)
    {
        if (state.Stage > stage)
            throw Rule("batch.stage_order", $"Không thể ghi nhận '{vi}' sau công đoạn '{StageVi(state.Stage)}'.",
                $"Cannot record {en} after the batch reached {state.Stage.ToString().ToLowerInvariant()}.");
    }

    private static string StageVi(ProcessingStage stage) => stage switch
    {
        ProcessingStage.Washed => "sơ chế, làm sạch",
        ProcessingStage.Salted => "ướp muối",
        ProcessingStage.Dried => "phơi / sấy",
        ProcessingStage.Packed => "đóng gói",
        _ => "nguyên liệu",
    };

    private static void CheckDrying(Batch state, BatchDried e, DateTimeOffset now)
    {
        if (!Enum.IsDefined(e.Method)) throw new InvalidFieldException("method", "Phương pháp phải là phơi nắng hoặc sấy.", "Drying is sun or oven.");
        if (e.EndedAt < e.StartedAt)
            throw new InvalidFieldException("endedAt", "Thời điểm kết thúc phơi/sấy phải sau khi bắt đầu.", "Drying must end after it starts.");
        if (e.EndedAt > now + FutureTolerance) throw InFuture("endedAt");
        if (e.StartedAt < state.LastStepAt)
            throw Rule("batch.step_out_of_order", "Thời điểm bắt đầu phơi/sấy không thể trước công đoạn trước đó.",
                "Drying cannot start before the batch's previous step.");
        if (e.FinalMoisturePercent is < 0 or > 100)
            throw new InvalidFieldException("finalMoisturePercent", "Độ ẩm phải từ 0 đến 100%.", "Moisture is between 0 and 100 %.");
        if (e.Output is not { } output) return;
        var outputAmount = CheckQuantity(state, output, "output");
        var yield = Yields.For(state.Product?.Category, state.DeclaredYield);
        if (outputAmount > state.OnHand.Amount * yield)
            throw Rule("batch.mass_balance", $"Cân đối khối lượng không đạt: sau phơi/sấy {output} vượt {state.OnHand} × hiệu suất {yield}.",
                $"Mass balance: {output} after drying exceeds {state.OnHand} × yield {yield}.");
    }

    private static void CheckPacking(Batch state, BatchPacked e)
    {
        if (e.PackCount is <= 0 or > 1_000_000)
            throw new InvalidFieldException("packCount", "Số gói phải từ 1 đến 1.000.000.", "Pack count is 1 to 1,000,000.");
        // The pack size is bounded before multiplying, so the total cannot overflow.
        CheckQuantity(state, e.PackSize, "packSize");
        var total = e.PackSize with { Amount = e.PackSize.Amount * e.PackCount };
        var amount = CheckQuantity(state, total, "packSize");
        if (amount > state.OnHand.Amount)
            throw Rule("batch.mass_balance", $"Cân đối khối lượng không đạt: {e.PackCount} gói × {e.PackSize} vượt khối lượng hiện có {state.OnHand}.",
                $"Mass balance: {e.PackCount} packs × {e.PackSize} exceed the {state.OnHand} on hand.");
        if (e.BestBefore is { } expiry && expiry < LocalDate(e.Step.OccurredAt))
            throw new InvalidFieldException("bestBefore", "Hạn sử dụng phải sau ngày đóng gói.", "Best-before must be on or after the packing day.");
    }

    private static void CheckShipping(Batch state, BatchShipped e)
    {
        if (e.To.Id == state.Custodian?.Id)
            throw Rule("batch.ship_to_self", "Không thể xuất hàng cho chính mình.", "A batch cannot be shipped to its own custodian.");
        Text.Require(e.To.Name, "to.name", 200);
        Text.Optional(e.Transport, "transport", 200);
        var amount = CheckQuantity(state, e.Quantity, "quantity");
        if (amount > state.OnHand.Amount)
            throw Rule("batch.ship_exceeds_on_hand", $"Không thể xuất {e.Quantity}: chỉ còn {state.OnHand}.",
                $"Cannot ship {e.Quantity}: only {state.OnHand} is on hand.");
        if (amount < state.OnHand.Amount)
            throw Rule("batch.partial_shipment", "Muốn xuất một phần lô hàng, hãy tách lô trước.",
                "To ship part of a batch, split it first: custody moves with the whole batch.");
    }

    private static void CheckReceipt(Batch state, BatchReceiptConfirmed e)
    {
        if (state.Shipment is not { } shipment || shipment.ShipmentId != e.ShipmentId)
            throw Rule("batch.no_such_shipment", "Không có chuyến hàng này đang chờ nhận.", "No such shipment is waiting for receipt.");
        if (!Enum.IsDefined(e.Condition)) throw new InvalidFieldException("condition", "Tình trạng hàng không hợp lệ.", "Condition is good, damaged or partial.");
        var amount = CheckQuantity(state, e.Quantity, "quantity", allowZero: true);
        if (amount > (shipment.Quantity.In(state.OnHand.Unit) ?? 0))
            throw Rule("batch.receipt_exceeds_shipment", $"Không thể nhận {e.Quantity}: chuyến hàng chỉ có {shipment.Quantity}.",
                $"Cannot receive {e.Quantity}: the shipment holds only {shipment.Quantity}.");
    }

    /// <summary>Validates a quantity and returns it in the batch's unit.</summary>
    private static decimal CheckQuantity(Batch state, Quantity quantity, string field, bool allowZero = false)
    {
        Quantity.Create(quantity.Amount, quantity.Unit, field, allowZero);
        return quantity.In(state.OnHand.Unit)
               ?? throw new InvalidFieldException(field, $"Đơn vị {quantity.Unit} không quy đổi được sang đơn vị của lô ({state.OnHand.Unit}).",
                   $"{quantity.Unit} does not convert to the batch's unit ({state.OnHand.Unit}).");
    }

    /// <summary>The calendar day where the time was recorded (its own offset), not in UTC: 06:30 in Cần Giờ is still today.</summary>
    internal static DateOnly LocalDate(DateTimeOffset time) => DateOnly.FromDateTime(time.DateTime);

    internal static void RequireNotBefore(Batch state, DateTimeOffset occurredAt)
    {
        if (occurredAt < state.LastStepAt)
            throw Rule("batch.step_out_of_order", $"Thời điểm không thể trước công đoạn trước đó của lô {state.LotNumber}.",
                $"A step cannot be dated before the previous step of batch {state.LotNumber}.");
    }

    internal static DomainException Rule(string code, string vi, string en) => new(code, vi, en);

    internal static DomainException NotFound() => new("batch.not_found", "Không tìm thấy lô hàng.", "No such batch.");

    private static DomainException Forbidden(string vi, string en) => new("batch.not_custodian", vi, en);

    private static InvalidFieldException InFuture(string field) =>
        new(field, "Thời điểm không được ở tương lai (quá 10 phút so với máy chủ).", "The time is more than 10 minutes in the future.");
}
